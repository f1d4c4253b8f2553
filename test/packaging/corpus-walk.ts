import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { createInterface } from 'node:readline'
import type { HttpResult } from '../../app/lambda/events'
import { httpApiEvent, lambdaContext } from '../helpers/events'
import { root } from './shipped-bundle'

/**
 * The corpus of app shapes (test/packaging/corpus/<shape>/): small Express 4 apps, each a package of
 * its own (package.json, its `main`) with a walk.json that says where it is mounted and which
 * requests a person's visit makes. The same walk goes through each way the app is served, with a
 * cookie jar of its own, and each answer is reduced to what must match: status, Location, body, and
 * the headers a step names.
 */
export const corpusDir = path.join(root, 'test/packaging/corpus')

export interface Step {
  method?: string
  /** Below the mount path, with its query string. */
  path: string
  /** The Accept header; a browser's navigation by default. */
  accept?: string
  form?: Record<string, string>
  json?: unknown
  upload?: { field?: string; filename?: string; type?: string; content?: string; fields?: Record<string, string> }
  /** The status the app alone answers: checks the walk does what it says. */
  expect?: number
  /** Text the app alone answers with. */
  contains?: string
  /** Response headers that must match too. */
  headers?: string[]
  /**
   * The app passes the request on (next(err), or no route): alone, Express's final handler answers it
   * with its HTML page; mounted, this app's 404 or problem+json does, by design (docs/MIGRATING.md).
   * Only the status must match.
   */
  passedOn?: boolean
}

export interface Shape {
  name: string
  dir: string
  /** Where it is mounted, `/<name>` unless walk.json says otherwise. */
  mount: string
  /** Its mount options: `{ auth: 'optional' }` (a public site) unless walk.json says otherwise. */
  options: Record<string, unknown>
  steps: Step[]
}

/** Every shape, the one mounted at `/` last (it answers what the others leave, as it would in front of them). */
export function readCorpus(): Shape[] {
  const shapes = readdirSync(corpusDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(corpusDir, entry.name, 'walk.json')))
    .map((entry) => {
      const dir = path.join(corpusDir, entry.name)
      const walk = JSON.parse(readFileSync(path.join(dir, 'walk.json'), 'utf8')) as {
        mount?: string
        options?: Record<string, unknown>
        steps: Step[]
      }
      return {
        name: entry.name,
        dir,
        mount: walk.mount ?? `/${entry.name}`,
        options: walk.options ?? { auth: 'optional' },
        steps: walk.steps,
      }
    })
  return [...shapes.filter((s) => s.mount !== '/'), ...shapes.filter((s) => s.mount === '/')]
}

/** app/existing/mounts.ts for the corpus: one mount() line per shape, importing each by its absolute path. */
export function corpusMounts(shapes: Shape[]): string {
  const imports = shapes.map((shape, i) => `import shape${i} from ${JSON.stringify(shape.dir)}`)
  const lines = shapes.map((shape, i) => `  mount(${JSON.stringify(shape.mount)}, shape${i}, ${JSON.stringify(shape.options)}),`)
  return [
    `import { mount, type MountList } from ${JSON.stringify(path.join(root, 'app/existing/mount'))}`,
    ...imports,
    '',
    `export const mounts: MountList = [\n${lines.join('\n')}\n]`,
    '',
  ].join('\n')
}

/** A request as every transport sends it. */
export interface Sent {
  method: string
  path: string
  headers: Record<string, string>
  body?: Buffer
}

export interface Answer {
  status: number
  headers: Record<string, string>
  setCookies: string[]
  body: Buffer
}

export interface Transport {
  name: string
  send(req: Sent): Promise<Answer>
  close(): Promise<void>
}

/** What must match between the app alone and the app mounted. */
export interface Outcome {
  request: string
  status: number
  location?: string
  headers?: Record<string, string | undefined>
  body: string
}

/** Walks `shape` through `transport` with a fresh cookie jar. */
export async function walk(transport: Transport, shape: Shape): Promise<Outcome[]> {
  const jar = new CookieJar()
  const outcomes: Outcome[] = []
  for (const step of shape.steps) {
    const req = toRequest(shape, step, jar)
    const answer = await transport.send(req)
    jar.take(answer.setCookies, req.path)
    const type = answer.headers['content-type'] ?? ''
    const text = /^(text\/|application\/(json|javascript|xml))/.test(type) || type === ''
    outcomes.push({
      request: `${req.method} ${req.path}`,
      status: answer.status,
      ...(answer.headers.location !== undefined ? { location: answer.headers.location } : {}),
      ...(step.headers ? { headers: Object.fromEntries(step.headers.map((name) => [name, answer.headers[name]])) } : {}),
      body: step.passedOn ? '(passed on)' : text ? answer.body.toString('utf8') : `base64:${answer.body.toString('base64')}`,
    })
  }
  return outcomes
}

function toRequest(shape: Shape, step: Step, jar: CookieJar): Sent {
  const prefix = shape.mount === '/' ? '' : shape.mount
  const url = `${prefix}${step.path}`
  const headers: Record<string, string> = { accept: step.accept ?? 'text/html,application/xhtml+xml,*/*;q=0.8' }
  let body: Buffer | undefined
  if (step.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = Buffer.from(new URLSearchParams(step.form).toString())
  } else if (step.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = Buffer.from(JSON.stringify(step.json))
  } else if (step.upload) {
    const boundary = 'corpus-walk-boundary'
    const parts = Object.entries(step.upload.fields ?? {}).map(
      ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    )
    const { field, filename, type, content } = step.upload
    if (field)
      parts.push(
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n${content}\r\n`,
      )
    headers['content-type'] = `multipart/form-data; boundary=${boundary}`
    body = Buffer.from(`${parts.join('')}--${boundary}--\r\n`)
  }
  const cookie = jar.header(url)
  if (cookie) headers.cookie = cookie
  return { method: step.method ?? 'GET', path: url, headers, body }
}

/** A browser's cookies, enough for a walk: name, value, path, and removal by Max-Age or Expires. */
class CookieJar {
  private cookies = new Map<string, { value: string; path: string }>()

  take(lines: string[], requestPath: string): void {
    for (const line of lines) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim())
      const at = pair.indexOf('=')
      const name = pair.slice(0, at)
      const value = pair.slice(at + 1)
      let cookiePath = requestPath.split('?')[0].replace(/\/[^/]*$/, '') || '/'
      let gone = false
      for (const attribute of attributes) {
        const [key, setting = ''] = attribute.split('=')
        if (key.toLowerCase() === 'path') cookiePath = setting
        if (key.toLowerCase() === 'max-age' && Number(setting) <= 0) gone = true
        if (key.toLowerCase() === 'expires' && Date.parse(setting) < Date.now()) gone = true
      }
      const key = `${cookiePath} ${name}`
      if (gone) this.cookies.delete(key)
      else this.cookies.set(key, { value, path: cookiePath })
    }
  }

  header(url: string): string {
    const pathname = url.split('?')[0]
    return [...this.cookies]
      .filter(([, c]) => c.path === '/' || pathname === c.path || pathname.startsWith(`${c.path.replace(/\/$/, '')}/`))
      .map(([key, c]) => `${key.slice(key.indexOf(' ') + 1)}=${c.value}`)
      .join('; ')
  }
}

/** An HTTP server on 127.0.0.1 (the app alone, the dev server, npm run offline's front). */
export function overHttp(name: string, base: string, close: () => Promise<void>): Transport {
  return {
    name,
    close,
    send: (req) =>
      new Promise((resolve, reject) => {
        const outgoing = http.request(
          `${base}${req.path}`,
          { method: req.method, headers: { ...req.headers, host: 'corpus.test' } },
          (res) => {
            const chunks: Buffer[] = []
            res.on('data', (chunk: Buffer) => chunks.push(chunk))
            res.on('end', () => {
              const headers: Record<string, string> = {}
              for (const [key, value] of Object.entries(res.headers)) if (key !== 'set-cookie') headers[key] = String(value)
              resolve({ status: res.statusCode ?? 0, headers, setCookies: res.headers['set-cookie'] ?? [], body: Buffer.concat(chunks) })
            })
          },
        )
        outgoing.on('error', reject)
        outgoing.end(req.body)
      }),
  }
}

/** Starts `command` and resolves with it once a line of its output matches `ready`. */
export function startProcess(
  command: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; ready: RegExp },
): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }> {
  const child = spawn(process.execPath, command, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command.join(' ')} did not start:\n${output}`)), 90_000)
    const onLine = (line: string) => {
      output += `${line}\n`
      const match = options.ready.exec(line)
      if (match) {
        clearTimeout(timer)
        resolve({ child, match, output: () => output })
      }
    }
    createInterface({ input: child.stdout }).on('line', onLine)
    createInterface({ input: child.stderr }).on('line', onLine)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${command.join(' ')} exited (${code}):\n${output}`))
    })
  })
}

export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.removeAllListeners('exit')
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 5000).unref()
  })
}

/** Every shape on one Express 4 server, each at its mount path, as `node` would run them, nothing of this app around them. */
export async function alone(shapes: Shape[]): Promise<Transport> {
  const script = `
    const express = require('express4')
    const outer = express()
    for (const { mount, dir } of ${JSON.stringify(shapes.map(({ mount, dir }) => ({ mount, dir })))}) outer.use(mount, require(dir))
    const server = outer.listen(0, '127.0.0.1', () => console.log('LISTENING ' + server.address().port))`
  const { child, match } = await startProcess(['-e', script], { cwd: root, env: { PATH: process.env.PATH }, ready: /^LISTENING (\d+)$/ })
  return overHttp('the app alone on Express 4', `http://127.0.0.1:${match[1]}`, () => stop(child))
}

/**
 * The function from the unzipped package, as the Lambda runtime calls it: `<task>/dist/lambda.js`
 * required once in a fresh Node, fed HTTP API (payload 2.0) events one at a time.
 */
export async function unzippedFunction(task: string, env: NodeJS.ProcessEnv): Promise<Transport> {
  const runner = `
    const { handler } = require('./dist/lambda.js')
    console.log('READY')
    require('node:readline').createInterface({ input: process.stdin }).on('line', async (line) => {
      const { id, event, context } = JSON.parse(line)
      const result = await handler(event, context)
      process.stdout.write('RESULT ' + JSON.stringify({ id, result }) + '\\n')
    })`
  const { child } = await startProcess(['-e', runner], { cwd: task, env, ready: /^READY$/ })
  const waiting = new Map<number, (result: HttpResult) => void>()
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('RESULT ')) return
    const { id, result } = JSON.parse(line.slice(7)) as { id: number; result: HttpResult }
    waiting.get(id)?.(result)
  })
  let next = 0
  return {
    name: 'the unzipped package',
    close: () => stop(child),
    async send(req) {
      const id = ++next
      // Bodies base64-encoded, as API Gateway delivers form and multipart bodies.
      const event = httpApiEvent({
        method: req.method,
        path: req.path,
        headers: req.headers,
        body: req.body?.toString('utf8'),
        base64: true,
      })
      const result = await new Promise<HttpResult>((resolve) => {
        waiting.set(id, resolve)
        child.stdin!.write(`${JSON.stringify({ id, event, context: { awsRequestId: lambdaContext().awsRequestId } })}\n`)
      })
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value)
      return {
        status: result.statusCode,
        headers,
        setCookies: (result as { cookies?: string[] }).cookies ?? [],
        body: Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8'),
      }
    },
  }
}

/**
 * `npm run dev`'s server (app/dev.ts, run by tsx as the script runs it, without the watcher) with the
 * corpus's mounts in place of app/existing/mounts.ts: a preload points Node's resolution of that file
 * at `mountsFile`, so the checkout's own list is left alone.
 */
export async function devServer(mountsFile: string, preloadFile: string, dataDir: string, port: number): Promise<Transport> {
  const preload = `
    const Module = require('node:module')
    const mounts = ${JSON.stringify(path.join(root, 'app/existing/mounts.ts'))}
    const resolve = Module._resolveFilename
    Module._resolveFilename = function (...args) {
      const found = resolve.apply(this, args)
      return found === mounts ? ${JSON.stringify(mountsFile)} : found
    }`
  writeFileSync(preloadFile, preload)
  const { child } = await startProcess(['--require', preloadFile, '--import', 'tsx', 'app/dev.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SKIP_SPA_BUILD: '1',
      JWT_SECRET: 'corpus-dev-server-secret-of-32-bytes-or-more',
    },
    ready: /Notes API on http:/,
  })
  return overHttp('npm run dev', `http://127.0.0.1:${port}`, () => stop(child))
}
