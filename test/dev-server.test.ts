import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { Note, NotePage } from '../app/notes/schema'

/**
 * The dev server in a child process with its own data folder, as `npm run dev` runs it without the
 * watcher, and as `npm run dev` itself (the watcher and its child): stopped with SIGTERM or killed
 * outright during a burst of writes, then started again, it must start and still hold every write it
 * acknowledged.
 */
jest.setTimeout(60_000)

const root = path.resolve(__dirname, '..')
let dataDir: string
beforeAll(() => void (dataDir = mkdtempSync(path.join(os.tmpdir(), 'notes-dev-'))))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

interface DevServer {
  child: ChildProcess
  base: string
  output: () => string
}

/** The dev server alone: tsx as a loader, not its CLI, so one process, and a SIGKILL reaches the server itself. */
const startDevServer = (dir = dataDir) => startServer(process.execPath, ['--import', 'tsx', 'app/dev.ts'], dir)

/**
 * `npm run dev` as a person runs it: npm, the shell, tsx's watcher and the server it starts, in a
 * process group of their own (`child.pid` is its id), so all of them can be killed at once.
 */
const startNpmRunDev = (dir: string) => startServer('npm', ['run', 'dev'], dir, { detached: true })

async function startServer(command: string, args: string[], dir: string, options: { detached?: boolean } = {}): Promise<DevServer> {
  const port = await freePort()
  const child = spawn(command, args, {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dir,
      SKIP_SPA_BUILD: '1',
      JWT_SECRET: 'dev-server-test-secret-of-32-bytes-or-more',
      DYNAMODB_ENDPOINT: '',
      npm_config_update_notifier: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached,
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const deadline = Date.now() + 60_000
  while (!output.includes('Notes API on')) {
    if (child.exitCode !== null || /Cannot start/.test(output) || Date.now() > deadline) {
      if (options.detached) killGroup(child)
      throw new Error(`dev server did not start:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { child, base: `http://127.0.0.1:${port}`, output: () => output }
}

/** SIGKILL to every process of the group led by `child` (npm and everything it started). */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL')
  } catch {
    // The group is gone already.
  }
}

/** Resolves with the exit code (null when a signal ended it), also when it has ended already. */
const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  )

/** One JSON request; `Body` is what the caller expects back (the test checks it, the type only names it). */
async function api<Body>(
  base: string,
  method: string,
  route: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: Body }> {
  const res = await fetch(base + route, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  })
  return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as Body }
}

/** Creates notes from 8 concurrent writers until `stop` resolves; returns the ids acknowledged with 201. */
async function writeBurst(base: string, token: string, stop: Promise<unknown>): Promise<string[]> {
  const acknowledged: string[] = []
  let stopping = false
  void stop.then(() => (stopping = true))
  const writer = async (w: number) => {
    for (let i = 0; !stopping; i++) {
      try {
        const res = await api<Note>(base, 'POST', '/api/notes', { title: `writer ${w} note ${i}` }, token)
        if (res.status === 201) acknowledged.push(res.body.id)
      } catch {
        return // the server went away mid-request: that write was never acknowledged
      }
    }
  }
  await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)))
  return acknowledged
}

async function listAll(base: string, token: string): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | null = null
  do {
    const res: { body: NotePage } = await api<NotePage>(
      base,
      'GET',
      `/api/notes?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      undefined,
      token,
    )
    ids.push(...res.body.items.map((note) => note.id))
    cursor = res.body.nextCursor
  } while (cursor)
  return ids
}

const register = async (base: string, email: string): Promise<string> =>
  (await api<{ token: string }>(base, 'POST', '/auth/register', { email, password: 'correct horse battery' })).body.token

describe('dev server', () => {
  it('when stopped with SIGTERM during a write burst, then it exits cleanly and, restarted, holds every acknowledged write once', async () => {
    const first = await startDevServer()
    const token = await register(first.base, 'term@example.com')
    const stopAfter = new Promise((resolve) => setTimeout(resolve, 1500)).then(() => first.child.kill('SIGTERM'))

    const acknowledged = await writeBurst(first.base, token, stopAfter)
    const code = await exited(first.child)

    expect(code).toBe(0)
    expect(first.output()).toContain('Stopped (SIGTERM)')
    expect(acknowledged.length).toBeGreaterThan(10)
    const second = await startDevServer()
    try {
      const stored = await listAll(second.base, token)
      expect(new Set(stored).size).toBe(stored.length)
      expect(stored).toEqual(expect.arrayContaining(acknowledged))
    } finally {
      second.child.kill('SIGTERM')
      await exited(second.child)
    }
  })

  it('when killed outright (SIGKILL) during a write burst, then, restarted, it holds every acknowledged write and reclaims the data folder', async () => {
    const first = await startDevServer()
    const token = await register(first.base, 'kill@example.com')
    const before = (await api<Note>(first.base, 'POST', '/api/notes', { title: 'before the burst' }, token)).body.id
    const killAfter = new Promise((resolve) => setTimeout(resolve, 1500)).then(() => first.child.kill('SIGKILL'))

    const acknowledged = await writeBurst(first.base, token, killAfter)
    await exited(first.child)

    expect(acknowledged.length).toBeGreaterThan(10)
    const second = await startDevServer()
    try {
      const stored = await listAll(second.base, token)
      expect(new Set(stored).size).toBe(stored.length)
      expect(stored).toEqual(expect.arrayContaining([before, ...acknowledged]))
    } finally {
      second.child.kill('SIGTERM')
      await exited(second.child)
    }
  })

  it('when the data folder’s last holder was killed and its pid now belongs to another live process, then it starts', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'notes-dev-reused-'))
    try {
      const first = await startDevServer(dir)
      first.child.kill('SIGKILL')
      await exited(first.child)
      // What a pid file would still say after a container restart reused the pid: a process that holds nothing.
      writeFileSync(path.join(dir, 'dynamodb', 'owner.pid'), String(process.pid))

      const second = await startDevServer(dir)

      expect(second.output()).toContain('Notes API on')
      second.child.kill('SIGTERM')
      await exited(second.child)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('when a second dev server is started on the same data folder, then it refuses with a message naming the first', async () => {
    const first = await startDevServer()
    try {
      await expect(startDevServer()).rejects.toThrow(
        `Cannot start: Another process (pid ${first.child.pid}) is using ${path.join(dataDir, 'dynamodb')}`,
      )
    } finally {
      first.child.kill('SIGTERM')
      await exited(first.child)
    }
  })

  it('when the whole `npm run dev` process group is killed with SIGKILL mid-burst, then it starts again at once, every time, holding every acknowledged write', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'notes-dev-group-'))
    const acknowledged: string[] = []
    let token: string | undefined
    let running: DevServer | undefined
    try {
      for (let round = 0; round < 3; round++) {
        running = await startNpmRunDev(dir)
        token ??= await register(running.base, 'group@example.com')
        const child = running.child
        const killAfter = new Promise((resolve) => setTimeout(resolve, 1000 + 250 * round)).then(() => killGroup(child))

        acknowledged.push(...(await writeBurst(running.base, token, killAfter)))
        await exited(child)
      }
      running = await startNpmRunDev(dir)
      const stored = await listAll(running.base, token!)

      expect(acknowledged.length).toBeGreaterThan(30)
      expect(new Set(stored).size).toBe(stored.length)
      expect(stored).toEqual(expect.arrayContaining(acknowledged))
    } finally {
      if (running) {
        killGroup(running.child)
        await exited(running.child)
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }, 240_000)
})
