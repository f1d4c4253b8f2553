import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import ejs from 'ejs'
import { loadConfig } from '../../app/config'
import { createDocumentClient } from '../../app/db/client'
import type { EmbeddedDynamo } from '../../app/db/embedded'
import type { StreamedInvocation } from '../../scripts/streaming-runtime.cjs'
import { seedNotes } from '../../scripts/seed-notes'
import { testSecret } from '../helpers/app'
import { startDynamoWithTable } from '../helpers/entries'
import { functionUrlEvent, restApiEvent } from '../helpers/events'
import { signToken } from '../helpers/tokens'
import { buildWithMounts, root } from './shipped-bundle'

/**
 * `streamHandler` of dist/lambda.js as Lambda runs it: the bundle built into a folder of its own with
 * an Express 4 app mounted (test/packaging/fixtures/downloads), required by a fresh Node process in which
 * scripts/streaming-runtime.cjs stands in for the runtime (its awslambda global installed before the
 * require, as the runtime does). Each body leaves that process through a pipe this test reads, as a
 * client would, a little slower than the function writes. The process says when each chunk left, when
 * it called DynamoDB, and how its memory grew.
 */
const MiB = 1024 * 1024
const tableName = `notes-streaming-${Date.now()}`
const userId = 'user-streaming-export'
const fileBytes = 20 * MiB
let outdir: string
let downloads: string
let dynamo: EmbeddedDynamo
let exportBytes: number
let auth: Record<string, string>
let smallAuth: Record<string, string>

const mountsWithDownloads = `
import { mount, type Mount } from './mount'
import downloads from '../../test/packaging/fixtures/downloads/app'

export const mounts: Mount[] = [mount('/downloads', downloads)]
`

beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), 'notes-streaming-bundle-'))
  downloads = mkdtempSync(path.join(tmpdir(), 'notes-downloads-'))
  writeFileSync(path.join(downloads, 'big.bin'), randomBytes(fileBytes))
  const built = buildWithMounts(outdir, mountsWithDownloads)
  if (!built.ok) throw new Error(`build failed: ${built.stderr}`)
  dynamo = await startDynamoWithTable(tableName)
  const db = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: dynamo.endpoint })
  exportBytes = await seedNotes(db, tableName, userId, 1070, 49_000)
  await seedNotes(db, tableName, 'user-small', 3, 100)
  db.destroy()
  const config = loadConfig({ JWT_SECRET: testSecret })
  auth = { Authorization: `Bearer ${signToken(config, { sub: userId })}` }
  smallAuth = { Authorization: `Bearer ${signToken(config, { sub: 'user-small' })}` }
}, 180_000)

afterAll(async () => {
  await dynamo?.close()
  rmSync(outdir, { recursive: true, force: true })
  rmSync(downloads, { recursive: true, force: true })
})

interface Run {
  report: StreamedInvocation & {
    /** When the function called DynamoDB (Date.now()). */
    queries: number[]
    /** Growth over the baseline taken after a warm-up invocation and a GC: its peak during the invocation, each sample after a GC. */
    memory: { heapAndBuffers: number; rss: number }
  }
  /** What this side read from the pipe. */
  received: Buffer
  /** Lines the mounted app wrote to stderr: `SENT <name> <time>` when sendFile handed over its last byte. */
  stderr: string
}

/** Runs one invocation of the built bundle's streamHandler in a fresh process, after `warmUp` (an invocation whose body is dropped). */
function streamFromBundle(event: object, warmUp: object): Promise<Run> {
  const runner = `
    const net = require('node:net')
    const diagnostics = require('node:diagnostics_channel')
    const runtime = require(${JSON.stringify(path.join(root, 'scripts/streaming-runtime.cjs'))})
    runtime.install()
    const { streamHandler } = require(${JSON.stringify(path.join(outdir, 'lambda.js'))})
    const [event, warmUp] = JSON.parse(process.argv[1])
    const context = () => ({ awsRequestId: require('node:crypto').randomUUID() })
    const queries = []
    diagnostics.subscribe('http.client.request.start', ({ request }) => {
      if (String(request.getHeader('x-amz-target')).endsWith('.Query')) queries.push(Date.now())
    })
    const used = () => { const m = process.memoryUsage(); return { heapAndBuffers: m.heapUsed + m.arrayBuffers, rss: m.rss } }
    ;(async () => {
      await runtime.invoke(streamHandler, warmUp, context(), {})
      global.gc()
      const base = used()
      // What the function holds, not what it has not collected yet: collected every 50 ms, measured after.
      const peak = { ...base }
      const sampler = setInterval(() => {
        global.gc()
        const now = used()
        peak.heapAndBuffers = Math.max(peak.heapAndBuffers, now.heapAndBuffers)
        peak.rss = Math.max(peak.rss, now.rss)
      }, 50)
      queries.length = 0
      const sink = new net.Socket({ fd: 3, readable: false, writable: true })
      const report = await runtime.invoke(streamHandler, event, context(), { sink, highWaterMark: 64 * 1024 })
      clearInterval(sampler)
      const memory = { heapAndBuffers: peak.heapAndBuffers - base.heapAndBuffers, rss: peak.rss - base.rss }
      sink.end(() => process.stdout.write('REPORT ' + JSON.stringify({ ...report, queries, memory }) + '\\n', () => process.exit(0)))
    })()`
  const child = spawn(process.execPath, ['--expose-gc', '-e', runner, JSON.stringify([event, warmUp])], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      AWS_LAMBDA_FUNCTION_NAME: 'notes-streaming-bundle',
      AWS_REGION: 'us-east-1',
      APP_URL: 'https://notes.example.com',
      MAIL_FROM: 'no-reply@example.com',
      JWT_SECRET: testSecret,
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      DOWNLOADS_DIR: downloads,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  })
  let stdout = ''
  let stderr = ''
  const chunks: Buffer[] = []
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  // A client a little slower than the function: it pauses after every 512 KB it reads.
  const pipe = child.stdio[3] as Readable
  let sinceRest = 0
  pipe.on('data', (chunk: Buffer) => {
    chunks.push(chunk)
    sinceRest += chunk.length
    if (sinceRest < 512 * 1024) return
    sinceRest = 0
    pipe.pause()
    setTimeout(() => pipe.resume(), 3)
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('REPORT '))
      if (code !== 0 || !line) return reject(new Error(`the bundle's process exited with ${code}:\n${stderr}`))
      resolve({ report: JSON.parse(line.slice(7)), received: Buffer.concat(chunks), stderr })
    })
  })
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
/** A small export first: the SDK loaded, the code warm, before the baseline is taken. */
const warmUp = () => functionUrlEvent({ method: 'GET', path: '/api/notes/export', headers: smallAuth })

describe('dist/lambda.js streamHandler, on a stand-in for the Lambda runtime', () => {
  it('streams a 50 MB export whole: its first bytes leave before the last page is read, its memory flat', async () => {
    const event = functionUrlEvent({ method: 'GET', path: '/api/notes/export', headers: auth })

    const { report, received } = await streamFromBundle(event, warmUp())

    expect(report.prelude).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' } })
    expect(report.error).toBeUndefined()
    expect(received.length).toBe(report.bodyBytes)
    expect(received.length).toBeGreaterThan(50 * 1000 * 1000)
    const exported = JSON.parse(received.toString('utf8')) as { items: { body: string }[] }
    expect(exported.items).toHaveLength(1070)
    expect(exported.items.every((note) => note.body.length === 49_000)).toBe(true)
    expect(Math.abs(received.length - exportBytes)).toBeLessThan(200)
    // Page after page: the client had the first bytes before the function asked DynamoDB for the last page.
    expect(report.queries.length).toBeGreaterThan(40)
    expect(report.chunks[0].at).toBeLessThan(report.queries.at(-1)!)
    // Kept whole, the export alone would be 50 MB of string; the bound leaves room for DynamoDB's 1 MB pages and their notes.
    expect(report.memory.heapAndBuffers).toBeLessThan(20 * MiB)
  }, 120_000)

  it.each([
    ['res.sendFile', '/downloads/file/big.bin'],
    ['res.download', '/downloads/download/big.bin'],
  ])(
    'streams a 20 MB %s of a mounted Express 4 app byte for byte, the first bytes out long before the last, memory flat',
    async (how, where) => {
      const event = restApiEvent({ method: 'GET', path: where, headers: auth })

      const { report, received, stderr } = await streamFromBundle(event, warmUp())

      expect(report.prelude?.statusCode).toBe(200)
      expect(report.prelude?.headers?.['content-length']).toBe(String(fileBytes))
      if (how === 'res.download') expect(report.prelude?.headers?.['content-disposition']).toBe('attachment; filename="report-big.bin"')
      expect(sha256(received)).toBe(sha256(readFileSync(path.join(downloads, 'big.bin'))))
      const sent = /SENT big\.bin (\d+)/.exec(stderr)
      if (how === 'res.sendFile') expect(report.chunks[0].at).toBeLessThan(Number(sent?.[1]))
      expect(report.chunks.length).toBeGreaterThan(100)
      // Kept whole, the file would be 20 MB of buffers.
      expect(report.memory.heapAndBuffers).toBeLessThan(12 * MiB)
    },
    120_000,
  )

  it('streams a rendered page of a mounted app that is larger than a buffered answer can be', async () => {
    const rows = 80_000
    const event = functionUrlEvent({ method: 'GET', path: `/downloads/report?rows=${rows}`, headers: auth })
    const expected = await ejs.renderFile(path.join(root, 'test/packaging/fixtures/downloads/views/report.ejs'), { rows })

    const { report, received } = await streamFromBundle(event, warmUp())

    expect(report.prelude).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' } })
    expect(received.length).toBeGreaterThan(6 * MiB)
    expect(received.toString('utf8')).toBe(expected)
  }, 120_000)
})
