import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createServer, get, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import request from 'supertest'
import { lambdaRequestId } from '../../app/lambda/handler'
import { createStreamHandler } from '../../app/lambda/stream-handler'
import { createLogger } from '../../app/logger'
import { createNotesRepository } from '../../app/notes/repository'
import { createRuntime, invoke } from '../../scripts/streaming-runtime.cjs'
import { createNote, createTestApp, registerUser, type TestApp } from '../helpers/app'
import { functionUrlEvent, lambdaContext } from '../helpers/events'
import { sdkError } from '../helpers/faults'
import { bearer, signToken } from '../helpers/tokens'

/** `GET /api/notes/export`: every live note of the caller, however many Query pages that takes. */
let t: TestApp
beforeAll(async () => void (t = await createTestApp()))
afterAll(() => t.close())

describe('GET /api/notes/export', () => {
  it('returns every live note, newest first, and leaves out the trash', async () => {
    const ada = await registerUser(t.app)
    const first = await createNote(t.app, ada.auth, { title: 'First', tags: ['a'] })
    const second = await createNote(t.app, ada.auth, { title: 'Second', body: 'text' })
    const trashed = await createNote(t.app, ada.auth, { title: 'Trashed' })
    await request(t.app).delete(`/api/notes/${trashed.id}`).set(ada.auth).expect(204)

    const res = await request(t.app).get('/api/notes/export').set(ada.auth)

    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body.items).toEqual([second, first])
    expect(new Date(res.body.exportedAt).toISOString()).toBe(res.body.exportedAt)
    expect(t.logs.find((l) => l.msg === 'request' && l.path === '/api/notes/export')).toMatchObject({
      route: '/api/notes/export',
      status: 200,
    })
  })

  it('walks every Query page: notes larger than one 1 MB page all arrive, once each', async () => {
    const bob = await registerUser(t.app)
    const body = 'x'.repeat(49_000)
    const created = []
    for (let i = 0; i < 25; i++) created.push(await createNote(t.app, bob.auth, { title: `Big ${i}`, body }))
    const commands: string[] = []
    const counting = {
      send: (command: object) => (commands.push(command.constructor.name), t.db.send(command as never)),
    } as unknown as DynamoDBDocumentClient
    const notes = createNotesRepository({ db: counting, tableName: t.config.tableName, cursorKey: t.config.cursorKey, clock: t.clock })

    const res = await request(t.app).get('/api/notes/export').set(bob.auth)
    const direct = await notes.exportAll(bob.id)

    expect(res.status).toBe(200)
    expect(res.body.items.map((n: { id: string }) => n.id)).toEqual(created.map((n) => n.id).reverse())
    expect(direct.items).toEqual(res.body.items)
    expect(commands.length).toBeGreaterThan(1)
    expect(new Set(commands)).toEqual(new Set(['QueryCommand']))
  })

  it('shows a user nothing of another user’s notes', async () => {
    const owner = await registerUser(t.app)
    await createNote(t.app, owner.auth, { title: 'Private' })
    const other = await registerUser(t.app)

    const res = await request(t.app).get('/api/notes/export').set(other.auth)

    expect(res.body.items).toEqual([])
  })

  it('needs a token with notes:read, and takes no query parameters', async () => {
    const none = await request(t.app).get('/api/notes/export')
    const writeOnly = await request(t.app)
      .get('/api/notes/export')
      .set(bearer(signToken(t.config, { scope: 'notes:write' })))
    const withQuery = await request(t.app)
      .get('/api/notes/export?limit=5')
      .set(bearer(signToken(t.config)))
    const post = await request(t.app)
      .post('/api/notes/export')
      .set(bearer(signToken(t.config)))
      .send({})

    expect(none.status).toBe(401)
    expect(writeOnly.status).toBe(403)
    expect(withQuery.status).toBe(400)
    expect(withQuery.body.errors).toEqual([{ path: 'query.limit', message: 'Unknown field' }])
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET, HEAD')
  })

  it('writes, byte for byte, what res.json would have written', async () => {
    const ada = await registerUser(t.app)
    await createNote(t.app, ada.auth, { title: 'Quotes " and \\ and ✓', body: 'line\nbreak', tags: ['x'] })
    await createNote(t.app, ada.auth, { title: 'Second' })

    const res = await request(t.app).get('/api/notes/export').set(ada.auth)

    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.text).toBe(JSON.stringify(res.body))
  })
})

/** Fills a user's export with `count` notes of 49,000 characters: about a 1 MB Query page for every 20 of them. */
async function bigNotes(t: TestApp, auth: Record<string, string>, count: number): Promise<void> {
  const body = 'n'.repeat(49_000)
  for (let i = 0; i < count; i++) await createNote(t.app, auth, { title: `Big ${i}`, body })
}

describe('GET /api/notes/export, written as it is read', () => {
  let t: TestApp
  let server: Server
  let auth: Record<string, string>
  const queries = { count: 0, failing: 0 }

  beforeAll(async () => {
    t = await createTestApp({ env: { AWS_LAMBDA_FUNCTION_NAME: 'notes-test-export' }, deps: { requestIdOf: lambdaRequestId } })
    t.db.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand' && ++queries.count === queries.failing) throw sdkError('ThrottlingException')()
        return next(args)
      },
      { step: 'initialize', name: 'count-queries' },
    )
    server = createServer(t.app)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    auth = (await registerUser(t.app)).auth
    await bigNotes(t, auth, 90)
  }, 60_000)
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    await t.close()
  })
  beforeEach(() => Object.assign(queries, { count: 0, failing: 0 }))

  it('reads no further once the client has gone: a slow client that leaves after its first bytes costs one or two Queries', async () => {
    const handler = createStreamHandler(t.app, createLogger({ write: () => undefined }), createRuntime())
    const event = functionUrlEvent({ method: 'GET', path: '/api/notes/export', headers: auth })

    const streamed = await invoke(handler, event, lambdaContext(), { highWaterMark: 16 * 1024, delayMs: 5, closeAfterBytes: 64 * 1024 })
    await new Promise((resolve) => setTimeout(resolve, 100))

    expect(streamed.prelude?.statusCode).toBe(200)
    expect(streamed.clientClosed).toBe(true)
    expect(queries.count).toBeGreaterThanOrEqual(1)
    expect(queries.count).toBeLessThanOrEqual(2)
    const whole = await request(t.app).get('/api/notes/export').set(auth)
    expect(whole.body.items).toHaveLength(90)
    expect(queries.count).toBeGreaterThan(4)
  })

  it('answers a failure of the first page with the problem, before any byte of the export', async () => {
    queries.failing = 1

    const res = await request(t.app).get('/api/notes/export').set(auth)

    expect(res.status).toBe(503)
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(res.headers['retry-after']).toBeDefined()
  })

  it('cuts the response short on a failure after the first page, and logs its cause with the request id', async () => {
    queries.failing = 3
    const before = t.logs.length

    const { status, text, aborted } = await new Promise<{ status?: number; text: string; aborted: boolean }>((resolve) => {
      const { port } = server.address() as AddressInfo
      get({ host: '127.0.0.1', port, path: '/api/notes/export', headers: auth }, (res: IncomingMessage) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', () => undefined)
        res.on('close', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString(), aborted: !res.complete }))
      })
    })

    expect(status).toBe(200)
    expect(aborted).toBe(true)
    expect(text.startsWith('{"exportedAt":')).toBe(true)
    expect(() => JSON.parse(text)).toThrow()
    const logged = t.logs.slice(before)
    const failure = logged.find((line) => line.msg === 'error after the response started')
    expect(failure).toMatchObject({ level: 'error', path: '/api/notes/export', status: 200, error: { name: 'ThrottlingException' } })
    expect(logged).toContainEqual(expect.objectContaining({ msg: 'request', requestId: failure?.requestId, status: 200, aborted: true }))
  })
})
