/**
 * `npm run load`: many users creating, editing (with If-Match) and listing notes at once against
 * the dev server, bounded in time; then it checks that every acknowledged write is stored exactly
 * once, as acknowledged. Prints requests, errors by status and p50/p99 latency; exits 1 on any
 * error or lost write.
 *
 * By default it starts its own dev server (app/dev.ts, embedded DynamoDB in a temp folder) on a
 * free port of 127.0.0.1. LOAD_URL=http://127.0.0.1:3000 targets a running one instead.
 * LOAD_SECONDS (20) and LOAD_USERS (40) set the duration and the number of users and connections.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'

const seconds = Number(process.env.LOAD_SECONDS ?? 20)
const userCount = Number(process.env.LOAD_USERS ?? 40)

interface Acknowledged {
  title: string
  version: number
}

async function main(): Promise<void> {
  const server = process.env.LOAD_URL ? { base: process.env.LOAD_URL.replace(/\/$/, ''), stop: async () => {} } : await startDevServer()
  try {
    console.log(`Load: ${userCount} users, ${seconds} s against ${server.base}`)
    const tokens = await Promise.all(Array.from({ length: userCount }, (_, i) => register(server.base, i)))
    const acknowledged = new Map<string, Acknowledged>()
    const result = await run(server.base, tokens, acknowledged)
    const problems = await verify(server.base, tokens, acknowledged)
    report(result, acknowledged, problems)
    process.exitCode = problems.length > 0 || errorsOf(result) > 0 ? 1 : 0
  } finally {
    await server.stop()
  }
}

/** What one round of requests carries from one request to the next. */
interface Round {
  token: string
  title: string
  id?: string
}

function run(base: string, tokens: string[], acknowledged: Map<string, Acknowledged>): Promise<autocannon.Result> {
  let nextUser = 0
  let sequence = 0
  const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })
  // The context starts afresh with every round of the three requests: each round takes the next user.
  const requests: autocannon.Request[] = [
    {
      method: 'POST',
      path: '/api/notes',
      setupRequest: (req, state) => {
        const context = state as Round
        context.token = tokens[nextUser++ % tokens.length]
        context.title = `load ${++sequence}`
        return { ...req, headers: json(context.token), body: JSON.stringify({ title: context.title, tags: ['load'] }) }
      },
      onResponse: (status, body, state) => {
        if (status !== 201) return
        const note = JSON.parse(body)
        ;(state as Round).id = note.id
        acknowledged.set(note.id, { title: note.title, version: note.version })
      },
    },
    {
      method: 'PATCH',
      setupRequest: (req, state) => {
        const context = state as Round
        if (!context.id) return { ...req, method: 'GET', path: '/health', headers: {}, body: undefined }
        const headers = { ...json(context.token), 'if-match': '"1"' }
        return {
          ...req,
          path: `/api/notes/${context.id}`,
          headers,
          body: JSON.stringify({ title: `${context.title} edited`, body: 'x'.repeat(200) }),
        }
      },
      onResponse: (status, body) => {
        if (status !== 200) return
        const note = JSON.parse(body)
        acknowledged.set(note.id, { title: note.title, version: note.version })
      },
    },
    {
      method: 'GET',
      setupRequest: (req, state) => ({ ...req, path: '/api/notes?limit=20', headers: json((state as Round).token), body: undefined }),
    },
  ]
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url: base, connections: tokens.length, duration: seconds, requests, timeout: 10 }, (err, result) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result),
    )
    autocannon.track(instance, { renderProgressBar: process.stdout.isTTY, renderResultsTable: false, renderLatencyTable: false })
  })
}

/** Reads every user's whole list and holds it against what was acknowledged. */
async function verify(base: string, tokens: string[], acknowledged: Map<string, Acknowledged>): Promise<string[]> {
  const seen = new Map<string, { title: string; version: number; count: number }>()
  for (const token of tokens) {
    let cursor: string | null = null
    do {
      const res = await fetch(`${base}/api/notes?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
        headers: { authorization: `Bearer ${token}` },
      })
      if (res.status !== 200) throw new Error(`listing failed with ${res.status}`)
      const page = (await res.json()) as { items: { id: string; title: string; version: number }[]; nextCursor: string | null }
      for (const note of page.items) {
        const entry = seen.get(note.id)
        seen.set(note.id, { title: note.title, version: note.version, count: (entry?.count ?? 0) + 1 })
      }
      cursor = page.nextCursor
    } while (cursor)
  }
  const problems: string[] = []
  for (const [id, ack] of acknowledged) {
    const stored = seen.get(id)
    if (!stored) problems.push(`${id}: acknowledged but missing`)
    else if (stored.count !== 1) problems.push(`${id}: stored ${stored.count} times`)
    // A write still in flight when the clock ran out may have landed unacknowledged: newer is fine, older is lost.
    else if (stored.version < ack.version || (stored.version === ack.version && stored.title !== ack.title)) {
      problems.push(`${id}: stored v${stored.version} "${stored.title}", acknowledged v${ack.version} "${ack.title}"`)
    }
  }
  return problems
}

function errorsOf(result: autocannon.Result): number {
  return result.errors + result.timeouts + result.non2xx
}

function report(result: autocannon.Result, acknowledged: Map<string, Acknowledged>, problems: string[]): void {
  const byStatus = Object.entries(result.statusCodeStats ?? {})
    .map(([status, { count }]) => `${status}: ${count}`)
    .join(', ')
  console.log(`
| figure | value |
|---|---|
| requests | ${result.requests.total} (${Math.round(result.requests.average)}/s) |
| responses by status | ${byStatus} |
| errors (non-2xx, timeouts, socket errors) | ${result.non2xx}, ${result.timeouts}, ${result.errors} |
| latency p50 / p99 | ${result.latency.p50} ms / ${result.latency.p99} ms |
| acknowledged writes checked | ${acknowledged.size} notes |
| lost or duplicated writes | ${problems.length} |
`)
  for (const problem of problems.slice(0, 20)) console.log(`  ${problem}`)
}

async function register(base: string, i: number): Promise<string> {
  const email = `load-${Date.now()}-${i}@example.com`
  const res = await fetch(`${base}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'load test password' }),
  })
  if (res.status !== 201) throw new Error(`register failed with ${res.status}: ${await res.text()}`)
  return ((await res.json()) as { token: string }).token
}

async function startDevServer(): Promise<{ base: string; stop: () => Promise<void> }> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'notes-load-'))
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'app/dev.ts'], {
    cwd: path.resolve(__dirname, '..'),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SKIP_SPA_BUILD: '1',
      DYNAMODB_ENDPOINT: '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let errors = ''
  child.stderr!.on('data', (chunk) => (errors += chunk))
  const base = `http://127.0.0.1:${port}`
  for (const deadline = Date.now() + 30_000; ;) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the dev server did not start:\n${errors}`)
    if (
      await fetch(`${base}/health`).then(
        (res) => res.ok,
        () => false,
      )
    )
      break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    base,
    stop: async () => {
      await new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill('SIGTERM')
      })
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
