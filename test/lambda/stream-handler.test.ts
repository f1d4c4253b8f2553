import compression from 'compression'
import type { Express, Request, Response } from 'express'
import { createServer, type Server } from 'node:http'
import { Writable } from 'node:stream'
import { gunzipSync } from 'node:zlib'
import { loadConfig } from '../../app/config'
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../app/db/embedded'
import { back, expressApp, front } from '../../app/http/app-shell'
import { lambdaRequestId } from '../../app/lambda/handler'
import { createStreamHandler, type StreamHandler } from '../../app/lambda/stream-handler'
import { createLogger } from '../../app/logger'
import {
  createRuntime,
  install,
  invoke,
  preludeContentType,
  type InvokeOptions,
  type StreamedInvocation,
} from '../../scripts/streaming-runtime.cjs'
import { createTestApp, testSecret, type LogLine, type TestApp } from '../helpers/app'
import { coldStart, startDynamoWithTable } from '../helpers/entries'
import { signToken } from '../helpers/tokens'
import {
  comparable,
  functionUrlEvent,
  lambdaContext,
  restApiEvent,
  sendToServer,
  type HttpRequest,
  type HttpResponse,
} from '../helpers/events'

/**
 * `streamHandler` (app/lambda/stream-handler.ts) on a stand-in for Lambda's runtime that speaks its
 * wire format (scripts/streaming-runtime.cjs): the app's answers arrive as the dev server gives them,
 * through REST API and Function URL events, with the body as the app writes it, at the pace the client reads.
 */

interface Source {
  name: string
  toEvent(req: HttpRequest): { requestContext: { requestId?: string } }
  prefix: string
}

const sources: Source[] = [
  { name: 'REST API (ResponseTransferMode STREAM)', toEvent: (req) => restApiEvent(req), prefix: '/prod' },
  { name: 'Function URL (InvokeMode RESPONSE_STREAM)', toEvent: (req) => functionUrlEvent(req), prefix: '' },
]

/** A streamed answer as a client sees it: the prelude's status and headers (Set-Cookie from `cookies` or `multiValueHeaders`), the body. */
function asResponse(streamed: StreamedInvocation): HttpResponse {
  const prelude = streamed.prelude!
  const headers: Record<string, string | string[]> = { ...prelude.headers }
  const cookies = prelude.cookies ?? prelude.multiValueHeaders?.['set-cookie']
  if (cookies) headers['set-cookie'] = cookies
  const raw = streamed.body ?? Buffer.alloc(0)
  return { status: prelude.statusCode, headers, body: raw.toString(), raw }
}

async function stream(handler: StreamHandler, source: Source, req: HttpRequest, options?: InvokeOptions) {
  const event = source.toEvent(req)
  const context = lambdaContext()
  const streamed = await invoke(handler, event, context, options)
  return { streamed, event, requestId: event.requestContext.requestId ?? context.awsRequestId }
}

/** What each side makes its own: ids, tokens, times. */
const swapOwn = (text: string) =>
  text
    .replace(/\b[0-9A-HJKMNP-TV-Z]{26}\b/g, '<id>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<token>')
    .replace(/"id":"[\w-]{36}"/g, '"id":"<userId>"')
    .replace(/notes_refresh=[^;]+/, 'notes_refresh=<refresh>')
    .replace(/Expires=[^;]+/g, 'Expires=<time>')

describe('streamHandler: the app’s answers, as the dev server gives them', () => {
  let dynamo: EmbeddedDynamo
  let direct: TestApp
  let behindLambda: TestApp
  let server: Server
  let handler: StreamHandler

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo()
    const env = { AWS_LAMBDA_FUNCTION_NAME: 'notes-test-stream', CORS_ORIGINS: 'https://notes.example.com' }
    direct = await createTestApp({ dynamo, env })
    server = createServer(direct.app)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    // The same app as lambda.ts builds it, with the platform's request ids, on a table of its own.
    behindLambda = await createTestApp({ dynamo, env, deps: { requestIdOf: lambdaRequestId } })
    handler = createStreamHandler(behindLambda.app, createLogger({ write: () => undefined }), createRuntime())
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    await direct.close()
    await behindLambda.close()
    await dynamo.close()
  })

  it.each(sources.map((source) => [source.name, source] as const))(
    '%s: status, headers, every Set-Cookie and body match, step by step through a session',
    async (_name, source) => {
      // Each side has a table of its own, so both register the same email.
      const email = `stream-${Math.random().toString(36).slice(2, 10)}@example.com`
      const json = { 'Content-Type': 'application/json' }
      const sides = { local: { email, token: '', noteId: '' }, remote: { email, token: '', noteId: '' } }
      type Side = typeof sides.local
      const steps: [string, (s: Side) => HttpRequest][] = [
        ['health', () => ({ method: 'GET', path: '/health' })],
        ['HEAD health', () => ({ method: 'HEAD', path: '/health' })],
        [
          'register',
          (s) => ({
            method: 'POST',
            path: '/auth/register',
            headers: json,
            body: JSON.stringify({ email: s.email, password: 'correct horse battery' }),
          }),
        ],
        [
          'create, base64 body',
          (s) => ({
            method: 'POST',
            path: '/api/notes',
            headers: { ...json, Authorization: `Bearer ${s.token}` },
            body: JSON.stringify({ title: 'Grüße ✓', tags: ['a'] }),
            base64: true,
          }),
        ],
        ['list', (s) => ({ method: 'GET', path: '/api/notes?limit=5', headers: { Authorization: `Bearer ${s.token}` } })],
        ['export', (s) => ({ method: 'GET', path: '/api/notes/export', headers: { Authorization: `Bearer ${s.token}` } })],
        ['HEAD export', (s) => ({ method: 'HEAD', path: '/api/notes/export', headers: { Authorization: `Bearer ${s.token}` } })],
        [
          'repeated query key (400)',
          (s) => ({ method: 'GET', path: '/api/notes?limit=1&limit=2', headers: { Authorization: `Bearer ${s.token}` } }),
        ],
        [
          'validation (400)',
          (s) => ({ method: 'POST', path: '/api/notes', headers: { ...json, Authorization: `Bearer ${s.token}` }, body: '{"title":""}' }),
        ],
        ['no token (401)', () => ({ method: 'GET', path: '/api/notes/export' })],
        ['unknown route (404)', () => ({ method: 'GET', path: '/n%C3%B6where' })],
        ['wrong method (405)', () => ({ method: 'PUT', path: '/health', headers: json, body: '{}' })],
        [
          'CORS preflight',
          () => ({
            method: 'OPTIONS',
            path: '/api/notes',
            headers: { Origin: 'https://notes.example.com', 'Access-Control-Request-Method': 'PATCH' },
          }),
        ],
        [
          'trash the note (204)',
          (s) => ({ method: 'DELETE', path: `/api/notes/${s.noteId}`, headers: { Authorization: `Bearer ${s.token}` } }),
        ],
      ]
      const remember = (s: Side, res: HttpResponse) => {
        if (res.status !== 201) return
        const body = JSON.parse(res.body)
        if (body.token) s.token = body.token
        else s.noteId ||= body.id
      }
      for (const [name, step] of steps) {
        const expected = await sendToServer(server, step(sides.local))
        const { streamed, requestId } = await stream(handler, source, step(sides.remote))
        const actual = asResponse(streamed)
        remember(sides.local, expected)
        remember(sides.remote, actual)

        expect({ name, contentType: streamed.contentType, unfinished: streamed.unfinished }).toEqual({
          name,
          contentType: preludeContentType,
          unfinished: false,
        })
        expect({ name, ...comparable(actual, { swap: swapOwn, prefix: source.prefix }) }).toEqual({
          name,
          ...comparable(expected, { swap: swapOwn }),
        })
        expect({ name, requestId: actual.headers['x-request-id'] }).toEqual({ name, requestId })
      }
      expect(sides.remote.noteId).not.toBe('')
    },
  )

  it.each(sources.map((source) => [source.name, source] as const))(
    '%s: Location keeps the prefix the request came in on',
    async (_name, source) => {
      const register = await stream(handler, source, {
        method: 'POST',
        path: '/auth/register',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: `loc-${Math.random().toString(36).slice(2, 10)}@example.com`, password: 'correct horse battery' }),
      })
      const { token } = JSON.parse(register.streamed.body!.toString())

      const { streamed } = await stream(handler, source, {
        method: 'POST',
        path: '/api/notes',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: '{"title":"x"}',
      })

      expect(streamed.prelude?.statusCode).toBe(201)
      expect(streamed.prelude?.headers?.location).toMatch(new RegExp(`^${source.prefix}/api/notes/[0-9A-Z]{26}$`))
    },
  )
})

/** An app with the shell every function shares (request ids from Lambda, access log, helmet, problems) around `routes`. */
function shellApp(routes: (app: Express) => void, logs: LogLine[]): Express {
  const config = loadConfig({ JWT_SECRET: testSecret, AWS_LAMBDA_FUNCTION_NAME: 'notes-test-stream', TABLE_NAME: 'unused' })
  const logger = createLogger({ write: (line) => logs.push(JSON.parse(line) as LogLine) })
  const app = expressApp()
  app.use(front({ config, logger, requestIdOf: lambdaRequestId }))
  routes(app)
  app.use(back({ logger }))
  return app
}

const fnUrl = sources[1]

describe('streamHandler: the body leaves as the app writes it', () => {
  const logs: LogLine[] = []
  const seen: { produced: number; consumed: number; maxAhead: number; heldBack: number; closed: boolean } = {
    produced: 0,
    consumed: 0,
    maxAhead: 0,
    heldBack: 0,
    closed: false,
  }
  let arrived: () => void = () => undefined
  let handler: StreamHandler

  beforeAll(() => {
    const app = shellApp((app) => {
      // 20 MB in 64 KB writes, each as soon as res.write allows: how far ahead of the client it gets is what is buffered.
      app.get('/twenty', async (_req: Request, res: Response) => {
        res.type('application/octet-stream')
        for (let i = 0; i < 320; i++) {
          const ok = res.write(Buffer.alloc(64 * 1024, i % 256))
          seen.produced += 64 * 1024
          seen.maxAhead = Math.max(seen.maxAhead, seen.produced - seen.consumed)
          if (!ok) {
            seen.heldBack++
            await new Promise((resolve) => res.once('drain', resolve))
          }
        }
        res.end()
      })
      // Writes until the client goes away; never ends by itself.
      app.get('/forever', async (_req: Request, res: Response) => {
        res.on('close', () => (seen.closed = true))
        res.type('text/plain')
        const drainedOrClosed = () => new Promise((resolve) => res.once('drain', resolve))
        while (!res.destroyed) {
          if (!res.write('x'.repeat(16 * 1024))) await Promise.race([drainedOrClosed(), new Promise((resolve) => setTimeout(resolve, 50))])
        }
      })
      // Part one, then waits for the client to have it before part two: a buffered relay would wait forever.
      app.get('/in-two', async (_req: Request, res: Response) => {
        res.type('text/plain').write('part one;')
        await firstArrival()
        res.end('part two')
      })
      app.get('/compressed', compression({ threshold: 0 }), async (_req: Request, res: Response) => {
        res.type('text/plain').write('part one;')
        res.flush()
        await firstArrival()
        res.end('part two')
      })
      app.get('/breaks', async (_req: Request, res: Response) => {
        res.type('text/plain').write('the first half, ')
        await new Promise((resolve) => setTimeout(resolve, 5))
        throw new Error('the second half is not coming')
      })
      app.get('/not-modified', (_req: Request, res: Response) => void res.status(304).end())
      app.get('/no-content', (_req: Request, res: Response) => void res.status(204).end())
      app.get('/cookies', (_req: Request, res: Response) => {
        res
          .append('Set-Cookie', 'a=1; Path=/; HttpOnly')
          .append('Set-Cookie', 'b=2; Path=/; Secure')
          .append('X-Multi', 'one')
          .append('X-Multi', 'two')
        res.json({ ok: true })
      })
      app.get('/who/:n', async (req: Request, res: Response) => {
        res.type('text/plain').write(`${String(req.params.n)}:`)
        await new Promise((resolve) => setTimeout(resolve, Number(req.params.n) % 7))
        res.end(req.id)
      })
    }, logs)
    handler = createStreamHandler(app, createLogger({ write: (line) => logs.push(JSON.parse(line) as LogLine) }), createRuntime())
  })

  function firstArrival(): Promise<void> {
    return new Promise((resolve, reject) => {
      arrived = resolve
      setTimeout(() => reject(new Error('the client never got the first part')), 5000).unref()
    })
  }

  /** A client that tells when its first bytes arrive. */
  const tellingSink = (kept: Buffer[]) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        kept.push(chunk)
        arrived()
        done()
      },
    })

  it('holds a fast writer back to a slow client: 20 MB arrive whole while the app is never more than 1 MiB ahead', async () => {
    const hash = require('node:crypto').createHash('sha256')
    const expected = require('node:crypto').createHash('sha256')
    for (let i = 0; i < 320; i++) expected.update(Buffer.alloc(64 * 1024, i % 256))
    const slowClient = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, done) {
        seen.consumed += chunk.length
        hash.update(chunk)
        setTimeout(done, 1)
      },
    })

    const { streamed } = await stream(handler, fnUrl, { method: 'GET', path: '/twenty' }, { sink: slowClient, highWaterMark: 16 * 1024 })

    expect(streamed.bodyBytes).toBe(20 * 1024 * 1024)
    expect(hash.digest('hex')).toBe(expected.digest('hex'))
    expect(seen.heldBack).toBeGreaterThan(0)
    expect(seen.maxAhead).toBeLessThan(1024 * 1024)
    expect(streamed.maxBuffered).toBeLessThanOrEqual(64 * 1024 + 16 * 1024)
  })

  it('sends what res.write wrote before the app writes more', async () => {
    const kept: Buffer[] = []

    const { streamed } = await stream(handler, fnUrl, { method: 'GET', path: '/in-two' }, { sink: tellingSink(kept) })

    expect(Buffer.concat(kept).toString()).toBe('part one;part two')
    expect(streamed.chunks.length).toBeGreaterThanOrEqual(2)
  })

  it('sends what compression’s res.flush() flushed before the app writes more', async () => {
    const kept: Buffer[] = []

    const { streamed } = await stream(
      handler,
      fnUrl,
      { method: 'GET', path: '/compressed', headers: { 'Accept-Encoding': 'gzip' } },
      { sink: tellingSink(kept) },
    )

    expect(streamed.prelude?.headers?.['content-encoding']).toBe('gzip')
    expect(gunzipSync(Buffer.concat(kept)).toString()).toBe('part one;part two')
  })

  it('puts the status, every header and every Set-Cookie in the prelude, in the shape each source reads', async () => {
    const rest = await stream(handler, sources[0], { method: 'GET', path: '/cookies' })
    const url = await stream(handler, fnUrl, { method: 'GET', path: '/cookies' })
    const cookies = ['a=1; Path=/; HttpOnly', 'b=2; Path=/; Secure']

    expect(rest.streamed.prelude).toMatchObject({ statusCode: 200, multiValueHeaders: { 'set-cookie': cookies } })
    expect(rest.streamed.prelude?.cookies).toBeUndefined()
    expect(url.streamed.prelude).toMatchObject({ statusCode: 200, cookies })
    expect(url.streamed.prelude?.multiValueHeaders).toBeUndefined()
    for (const { streamed } of [rest, url]) {
      expect(streamed.prelude?.headers).toMatchObject({ 'x-multi': 'one, two', 'content-type': 'application/json; charset=utf-8' })
      expect(Object.keys(streamed.prelude!.headers!)).not.toEqual(expect.arrayContaining(['set-cookie']))
      expect(
        Object.keys(streamed.prelude!.headers!).filter((name) => ['connection', 'transfer-encoding', 'keep-alive'].includes(name)),
      ).toEqual([])
      expect(streamed.preludeBytes).toBeLessThan(16 * 1024)
    }
  })

  it.each([
    ['304', { method: 'GET', path: '/not-modified' }, 304],
    ['204', { method: 'GET', path: '/no-content' }, 204],
    ['HEAD', { method: 'HEAD', path: '/cookies' }, 200],
  ] as const)('ends an empty body (%s) with its prelude, and never hangs', async (_name, req, status) => {
    const { streamed } = await stream(handler, fnUrl, req, { timeoutMs: 2000 })

    expect(streamed.unfinished).toBe(false)
    expect(streamed.prelude?.statusCode).toBe(status)
    expect(streamed.bodyBytes).toBe(0)
  })

  it('stops the work when Lambda closes the stream: the route sees close, the access log says aborted', async () => {
    const { streamed, requestId } = await stream(handler, fnUrl, { method: 'GET', path: '/forever' }, { closeAfterBytes: 1024 * 1024 })

    expect(streamed.clientClosed).toBe(true)
    expect(streamed.error).toBeUndefined()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(seen.closed).toBe(true)
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'request', requestId, path: '/forever', status: 200, aborted: true }))
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'response stream closed by Lambda before the end', requestId }))
  })

  it('ends the stream as failed on an error after the first byte, logged with the request id', async () => {
    const { streamed, requestId } = await stream(handler, fnUrl, { method: 'GET', path: '/breaks' })

    expect(streamed.prelude?.statusCode).toBe(200)
    expect(streamed.body?.toString()).toBe('the first half, ')
    expect(streamed.error).toBeDefined()
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'error after the response started',
        requestId,
        error: expect.objectContaining({ message: 'the second half is not coming' }),
      }),
    )
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'streamed answer broke off after its first bytes', requestId }),
    )
  })

  it('answers a request Node cannot carry with the problem handler would give, before the first byte', async () => {
    const { streamed, requestId } = await stream(handler, fnUrl, {
      method: 'GET',
      path: '/cookies',
      headers: { 'X-Bad': 'line\u0001break' },
    })
    const res = asResponse(streamed)

    expect(res.status).toBe(400)
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(res.headers['x-request-id']).toBe(requestId)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, requestId })
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'request', requestId, status: 400 }))
  })

  it('keeps each of many concurrent invocations’ request id and body its own', async () => {
    const runs = await Promise.all(
      Array.from({ length: 24 }, (_, n) =>
        stream(handler, n % 2 ? fnUrl : sources[0], { method: 'GET', path: `/who/${n}` }, { delayMs: n % 3 }),
      ),
    )

    for (const [n, { streamed, requestId }] of runs.entries()) {
      expect({ n, body: streamed.body?.toString(), id: streamed.prelude?.headers?.['x-request-id'] }).toEqual({
        n,
        body: `${n}:${requestId}`,
        id: requestId,
      })
    }
  })
})

describe('the entries’ streamHandler, loaded where the runtime’s awslambda global is', () => {
  const tableName = `notes-stream-entries-${Date.now()}`
  let dynamo: EmbeddedDynamo
  let entries: { api: StreamHandler; exportNotes: StreamHandler }

  beforeAll(async () => {
    dynamo = await startDynamoWithTable(tableName)
    const env = {
      MAIL_FROM: 'Notes <no-reply@example.com>',
      APP_URL: 'https://notes.example.com',
      AWS_LAMBDA_FUNCTION_NAME: 'notes-test',
      AWS_REGION: 'us-east-1',
      JWT_SECRET: testSecret,
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
    }
    // As the runtime does: the global first, then the module (both log a JSON line per request to stdout).
    const before = (globalThis as { awslambda?: unknown }).awslambda
    install()
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      entries = {
        api: coldStart(env, () => (require('../../lambda') as typeof import('../../lambda')).streamHandler),
        exportNotes: coldStart(
          env,
          () => (require('../../functions/export-notes') as typeof import('../../functions/export-notes')).streamHandler,
        ),
      }
    } finally {
      ;(globalThis as { awslambda?: unknown }).awslambda = before
    }
  })
  afterAll(async () => {
    jest.restoreAllMocks()
    await dynamo.close()
  })

  it('lambda.ts and functions/export-notes.ts stream the same export, as each was loaded', async () => {
    const config = loadConfig({ JWT_SECRET: testSecret })
    const headers = { Authorization: `Bearer ${signToken(config, { sub: 'user-entries' })}` }
    const created = await invoke(
      entries.api,
      functionUrlEvent({
        method: 'POST',
        path: '/api/notes',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: '{"title":"Streamed"}',
      }),
      lambdaContext(),
    )

    const viaApi = await invoke(entries.api, functionUrlEvent({ method: 'GET', path: '/api/notes/export', headers }), lambdaContext())
    const viaOwn = await invoke(
      entries.exportNotes,
      functionUrlEvent({ method: 'GET', path: '/api/notes/export', headers }),
      lambdaContext(),
    )

    expect(created.prelude?.statusCode).toBe(201)
    for (const streamed of [viaApi, viaOwn]) {
      expect(streamed.prelude?.statusCode).toBe(200)
      expect(JSON.parse(streamed.body!.toString()).items.map((note: { title: string }) => note.title)).toEqual(['Streamed'])
    }
  })
})

describe('streamHandler outside the Lambda runtime', () => {
  it('rejects, saying it needs the runtime’s awslambda global (not the empty one the AWS SDK leaves)', async () => {
    ;(globalThis as { awslambda?: object }).awslambda ??= {}
    const handler = createStreamHandler(expressApp(), createLogger({ write: () => undefined }), undefined)

    await expect(handler({} as never, {} as never, {} as never)).rejects.toThrow(/awslambda global/)
  })
})
