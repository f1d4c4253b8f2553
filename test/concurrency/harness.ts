import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { HttpResult, LambdaContext } from '../../app/lambda/events'
import type { LogLine } from '../helpers/app'

/**
 * The parts of the concurrency harness that are not about what is checked: a TCP proxy in front of
 * the database that answers late and drops connections, and the runner that invokes the shipped
 * bundle with a batch of invocations all in flight at once, in one thread or in worker threads.
 */

export interface Proxy {
  endpoint: string
  /** Connections dropped because a request on them carried the drop marker. */
  dropped: number
  close(): Promise<void>
}

/**
 * A TCP proxy in front of `upstream` (dynalite): every chunk of every answer waits 0..`maxDelayMs`
 * at random (in order, per connection), so concurrent invocations get their answers in an order of
 * their own; a connection whose request carries `dropMarker` is destroyed before the request reaches
 * the database, as a connection reset is seen by the SDK.
 */
export async function delayingProxy(upstream: string, options: { maxDelayMs: number; dropMarker: string }): Promise<Proxy> {
  const target = new URL(upstream)
  const sockets = new Set<Socket>()
  const proxy: Proxy = { endpoint: '', dropped: 0, close: () => Promise.resolve() }
  const server = createServer((client) => {
    const database = connect(Number(target.port), target.hostname)
    sockets.add(client).add(database)
    let answered = Promise.resolve()
    let seen = ''
    const drop = () => {
      proxy.dropped++
      client.destroy()
      database.destroy()
    }
    client.on('data', (chunk: Buffer) => {
      // The tail of what came before too, in case the marker spans two chunks.
      seen = seen.slice(-options.dropMarker.length) + chunk.toString('latin1')
      if (seen.includes(options.dropMarker)) drop()
      else database.write(chunk)
    })
    database.on('data', (chunk: Buffer) => {
      const delay = Math.random() * options.maxDelayMs
      answered = answered.then(() => new Promise((resolve) => setTimeout(resolve, delay))).then(() => void client.write(chunk))
    })
    for (const [from, to] of [
      [client, database],
      [database, client],
    ]) {
      from.on('error', () => to.destroy())
      from.on('close', () => {
        sockets.delete(from)
        void answered.then(() => to.end())
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  proxy.close = () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  return proxy
}

/** One invocation as the runner sends it: what Lambda would pass the handler. */
export interface Invoke {
  id: string
  event: object
  context: LambdaContext
}

export interface BatchAnswer {
  thread: string
  /** How many of the batch were in flight at once; the whole batch when none was awaited before the next started. */
  peak: number
  results: { id: string; result?: HttpResult; error?: string }[]
}

export interface Run {
  batches: BatchAnswer[]
  /** Every line the function wrote to stdout, parsed; a line that is not JSON is kept as `{ msg: <the line> }`. */
  log: LogLine[]
  stderr: string
  ms: number
}

/**
 * Requires the bundle in `<task>/dist/lambda.js` in a fresh Node process (cwd `task`, as /var/task)
 * and runs each batch with all its invocations at once: one batch after another in the main thread,
 * or with `workers`, each batch in a worker thread of its own, all workers at once.
 */
export async function runBatches(
  task: string,
  batches: Invoke[][],
  options: { workers: boolean; env: Record<string, string> },
): Promise<Run> {
  const work = mkdtempSync(path.join(tmpdir(), 'notes-concurrency-run-'))
  try {
    const planFile = path.join(work, 'plan.json')
    const resultsFile = path.join(work, 'results.json')
    writeFileSync(planFile, JSON.stringify({ bundle: path.join(task, 'dist/lambda.js'), workers: options.workers, batches }))
    const started = Date.now()
    const child = spawn(process.execPath, [path.join(__dirname, 'runner.cjs'), planFile, resultsFile], {
      cwd: task,
      env: { PATH: process.env.PATH, ...options.env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject)
      child.on('close', resolve)
    })
    if (code !== 0) throw new Error(`the runner exited with ${code}:\n${stderr}`)
    const log = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        try {
          return JSON.parse(line) as LogLine
        } catch {
          return { msg: line } as LogLine
        }
      })
    return { batches: JSON.parse(readFileSync(resultsFile, 'utf8')) as BatchAnswer[], log, stderr, ms: Date.now() - started }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
