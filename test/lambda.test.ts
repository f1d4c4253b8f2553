import express, { type Express } from 'express'
import { createServer, type Server } from 'node:http'
import request from 'supertest'
import type { EmbeddedDynamo } from '../app/db/embedded'
import type { HttpResult } from '../app/lambda/events'
import { createLambdaHandler } from '../app/lambda/handler'
import { createLogger } from '../app/logger'
import { createTestApp, testSecret, type TestApp } from './helpers/app'
import { coldStart, startDynamoWithTable } from './helpers/entries'
import { eventSources, lambdaContext, type EventSource, type HttpRequest, type HttpResponse } from './helpers/events'

/**
 * The Lambda entry (lambda.ts, imported as TypeScript with a Lambda environment) answers every HTTP
 * source as the dev server answers the same request: status, headers and body, step by step
 * through a user's session. The other side of each comparison is supertest on an app of its own.
 */
type LambdaModule = typeof import('../lambda')

let dynamo: EmbeddedDynamo
let lambda: LambdaModule
let direct: TestApp
let directServer: Server
const logLines: string[] = []
const tableName = `notes-lambda-${Date.now()}`
const lambdaEnv = {
  AWS_LAMBDA_FUNCTION_NAME: 'notes-test-api',
  AWS_REGION: 'us-east-1',
  JWT_SECRET: testSecret,
  TABLE_NAME: tableName,
  CORS_ORIGINS: 'https://notes.example.com',
}

/** Imports lambda.ts afresh under `env`, as a new Lambda container would. */
const importLambda = (env: Record<string, string>): LambdaModule => coldStart(env, () => require('../lambda') as LambdaModule)

beforeAll(async () => {
  dynamo = await startDynamoWithTable(tableName)
  // The entry logs one JSON line per request to stdout, as on Lambda; keep them to check, not print.
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logLines.push(String(chunk))
    return true
  })
  lambda = importLambda({ ...lambdaEnv, DYNAMODB_ENDPOINT: dynamo.endpoint })
  direct = await createTestApp({ dynamo, env: { AWS_LAMBDA_FUNCTION_NAME: 'notes-test-api', CORS_ORIGINS: lambdaEnv.CORS_ORIGINS } })
  directServer = await listenLocally(direct.app)
})

afterAll(async () => {
  jest.restoreAllMocks()
  await new Promise((resolve) => directServer.close(resolve))
  await direct.close()
  await dynamo.close()
})

/** Serves an app on a free port of 127.0.0.1 for supertest, which would otherwise listen on every interface. */
async function listenLocally(app: Express): Promise<Server> {
  const server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

/** What one side of a session remembers between steps: its own token and note id. */
interface Session {
  token?: string
  noteId?: string
  userId?: string
}

interface Step {
  name: string
  request(s: Session): HttpRequest
  /** Skipped for a source that cannot carry what the step needs. */
  needs?: keyof EventSource['limits']
}

const json = { 'Content-Type': 'application/json' }
const auth = (s: Session) => ({ Authorization: `Bearer ${s.token}` })

function sessionSteps(email: string): Step[] {
  return [
    { name: 'health', request: () => ({ method: 'GET', path: '/health' }) },
    {
      name: 'register',
      request: () => ({
        method: 'POST',
        path: '/auth/register',
        headers: json,
        body: JSON.stringify({ email, password: 'correct horse battery' }),
      }),
    },
    {
      name: 'create a note',
      request: (s) => ({
        method: 'POST',
        path: '/api/notes',
        headers: { ...json, ...auth(s) },
        body: JSON.stringify({ title: 'First', tags: ['a'] }),
      }),
    },
    { name: 'list notes', request: (s) => ({ method: 'GET', path: '/api/notes', headers: auth(s) }) },
    { name: 'get the note', request: (s) => ({ method: 'GET', path: `/api/notes/${s.noteId}`, headers: auth(s) }) },
    { name: 'unknown route (404)', request: () => ({ method: 'GET', path: '/nowhere' }) },
    { name: 'wrong method (405)', request: () => ({ method: 'PUT', path: '/health', headers: json, body: '{}' }) },
    {
      name: 'failed validation (400)',
      request: (s) => ({
        method: 'POST',
        path: '/api/notes',
        headers: { ...json, ...auth(s) },
        body: JSON.stringify({ title: '', userId: 'x' }),
      }),
    },
    { name: 'no token (401)', request: () => ({ method: 'GET', path: '/api/notes' }) },
    {
      name: 'malformed JSON (400)',
      request: (s) => ({ method: 'POST', path: '/api/notes', headers: { ...json, ...auth(s) }, body: '{"title": "unfinished' }),
    },
    {
      name: 'base64 body',
      request: (s) => ({
        method: 'POST',
        path: '/api/notes',
        headers: { ...json, ...auth(s) },
        body: JSON.stringify({ title: 'Grüße ✓', body: 'binary-safe' }),
        base64: true,
      }),
    },
    {
      name: 'repeated If-Match header',
      needs: 'repeatedHeaders',
      request: (s) => ({
        method: 'PATCH',
        path: `/api/notes/${s.noteId}`,
        headers: { ...json, ...auth(s), 'If-Match': ['"1"', '"7"'] },
        body: JSON.stringify({ title: 'Second' }),
      }),
    },
    {
      name: 'repeated query key (400)',
      needs: 'repeatedQueryKeys',
      request: (s) => ({ method: 'GET', path: '/api/notes?limit=1&limit=2', headers: auth(s) }),
    },
    { name: 'encoded query value (400)', request: (s) => ({ method: 'GET', path: '/api/notes?cursor=a%20b%26c%3D', headers: auth(s) }) },
    { name: 'paginated list', request: (s) => ({ method: 'GET', path: '/api/notes?limit=1', headers: auth(s) }) },
    { name: 'URL-encoded unknown id', request: (s) => ({ method: 'GET', path: '/api/notes/caf%C3%A9%20x', headers: auth(s) }) },
    { name: 'URL-encoded unknown route', request: () => ({ method: 'GET', path: '/n%C3%B6where%20at%20all' }) },
    {
      name: 'CORS preflight',
      request: () => ({
        method: 'OPTIONS',
        path: '/api/notes',
        headers: { Origin: 'https://notes.example.com', 'Access-Control-Request-Method': 'PATCH' },
      }),
    },
    { name: 'delete to the trash', request: (s) => ({ method: 'DELETE', path: `/api/notes/${s.noteId}`, headers: auth(s) }) },
    { name: 'trash', request: (s) => ({ method: 'GET', path: '/api/trash', headers: auth(s) }) },
  ]
}

/** Remembers what a response gave the session (token, note id), as a client would. */
function remember(s: Session, res: HttpResponse): void {
  if (res.status !== 201) return
  const body = JSON.parse(res.body)
  if (body.token) Object.assign(s, { token: body.token, userId: body.user.id })
  else if (body.id && !s.noteId) s.noteId = body.id
}

async function viaSupertest(server: Server, req: HttpRequest): Promise<HttpResponse> {
  let test = request(server)[req.method.toLowerCase() as 'get'](req.path)
  for (const [name, value] of Object.entries(req.headers ?? {})) test = test.set(name, value as string)
  if (req.body !== undefined) test = test.send(req.body)
  const res = await test.buffer(true).parse((r, done) => {
    const chunks: Buffer[] = []
    r.on('data', (c: Buffer) => chunks.push(c))
    r.on('end', () => done(null, Buffer.concat(chunks)))
  })
  const raw = res.body as Buffer
  return { status: res.status, headers: res.headers as Record<string, string | string[]>, body: raw.toString(), raw }
}

async function viaLambda(handler: LambdaModule['handler'], source: EventSource, req: HttpRequest) {
  const event = source.toEvent(req)
  const context = lambdaContext()
  const result = (await handler(event as never, context)) as HttpResult
  return { response: source.fromResult(result), requestId: source.requestIdOf(event, context) }
}

/** Headers that only a socket adds, or that differ per request by design. */
const unequalHeaders = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'x-request-id', 'content-length'])

/** Any other note's id: each side makes its own. */
const noteIdPattern = /\b[0-9A-HJKMNP-TV-Z]{26}\b/g

/** One side's response with its own ids, token and times replaced, so two sides compare. */
function comparable(res: HttpResponse, s: Session) {
  const swap = (text: string) => {
    let out = text
    for (const [value, name] of [
      [s.token, '<token>'],
      [s.noteId, '<noteId>'],
      [s.userId, '<userId>'],
    ] as const) {
      if (value) out = out.split(value).join(name)
    }
    return out
      .replace(noteIdPattern, '<otherId>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
      .replace(/"nextCursor":"[^"]+"/, '"nextCursor":"<cursor>"')
      .replace(/notes_refresh=[^;]+(.*Expires=)[^;]+/, 'notes_refresh=<refreshToken>$1<time>') // random per sign-in
  }
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(res.headers)) {
    if (unequalHeaders.has(name)) continue
    // One Set-Cookie is a string where the source has single-value headers (ALB), a list elsewhere.
    if (name === 'set-cookie') headers[name] = [value].flat().map(swap)
    else headers[name] = Array.isArray(value) ? value.map(swap) : swap(value).replace(/,\s*/g, ',')
  }
  let body: unknown = swap(res.body)
  if (/json/.test(String(res.headers['content-type']))) {
    body = JSON.parse(body as string)
    delete (body as Record<string, unknown>).requestId
  }
  return { status: res.status, headers, body }
}

describe.each(eventSources.map((source) => [source.name, source] as const))('Lambda handler behind %s', (_name, source) => {
  it('gives the dev server’s status, headers and body for every step of a session', async () => {
    const email = `parity-${Math.random().toString(36).slice(2, 10)}@example.com`
    const local: Session = {}
    const remote: Session = {}
    for (const step of sessionSteps(email)) {
      if (step.needs && source.limits[step.needs]) continue
      const expected = await viaSupertest(directServer, step.request(local))
      const { response: actual, requestId } = await viaLambda(lambda.handler, source, step.request(remote))
      remember(local, expected)
      remember(remote, actual)

      expect({ step: step.name, ...comparable(actual, remote) }).toEqual({ step: step.name, ...comparable(expected, local) })
      expect({ step: step.name, requestId: actual.headers['x-request-id'] }).toEqual({ step: step.name, requestId })
      expect(Number(actual.headers['content-length'] ?? 0)).toBe(actual.raw.length)
    }
    expect(remote.noteId).toBeDefined()
  })

  it('logs each request with the request id the platform gave it', async () => {
    const { response, requestId } = await viaLambda(lambda.handler, source, { method: 'GET', path: '/health' })

    expect(response.status).toBe(200)
    const line = logLines.map((l) => JSON.parse(l)).find((entry) => entry.msg === 'request' && entry.requestId === requestId)
    expect(line).toMatchObject({ method: 'GET', route: '/health', status: 200 })
  })
})

describe('Lambda handler: what the app itself never sends', () => {
  let extras: Express
  let extrasServer: Server
  let handler: ReturnType<typeof createLambdaHandler>

  beforeAll(async () => {
    // Set-Cookie, repeated response headers, request cookies and binary bodies, through the same wrapper as the app.
    extras = express()
    extras.get('/cookies', (req, res) => {
      res.append('Set-Cookie', 'a=1; Path=/; HttpOnly').append('Set-Cookie', 'b=2; Path=/; Secure')
      res.append('X-Multi', 'one').append('X-Multi', 'two')
      res.json({ cookie: req.get('cookie') ?? null })
    })
    extras.get('/image', (_req, res) => void res.type('image/png').send(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10])))
    extras.post('/echo', express.raw({ type: '*/*' }), (req, res) => void res.type('application/octet-stream').send(req.body))
    handler = createLambdaHandler(extras, createLogger({ write: () => undefined }))
    extrasServer = await listenLocally(extras)
  })

  afterAll(() => new Promise((resolve) => extrasServer.close(resolve)))

  it.each(eventSources.map((source) => [source.name, source] as const))(
    '%s: carries cookies both ways, as the source allows',
    async (_name, source) => {
      const req = { method: 'GET', path: '/cookies', headers: { Cookie: 'session=abc; theme=dark' } }
      const expected = await viaSupertest(extrasServer, req)
      const { response } = await viaLambda(handler, source, req)

      expect(expected.headers['set-cookie']).toEqual(['a=1; Path=/; HttpOnly', 'b=2; Path=/; Secure'])
      expect(JSON.parse(response.body)).toEqual({ cookie: 'session=abc; theme=dark' })
      if (source.limits.repeatedHeaders) {
        // An ALB target group without multi-value headers holds one value per header, both ways.
        expect(response.headers['set-cookie']).toBe('a=1; Path=/; HttpOnly')
      } else {
        expect(response.headers['set-cookie']).toEqual(expected.headers['set-cookie'])
        expect(String(response.headers['x-multi']).replace(/,\s*/g, ',')).toBe('one,two')
      }
    },
  )

  it.each(eventSources.map((source) => [source.name, source] as const))(
    '%s: sends a binary body base64-encoded and takes one in',
    async (_name, source) => {
      const image = await viaLambda(handler, source, { method: 'GET', path: '/image' })
      const bytes = 'binary\u0000\u00ff\u0001data'
      const echo = await viaLambda(handler, source, {
        method: 'POST',
        path: '/echo',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: bytes,
        base64: true,
      })

      expect(image.response.status).toBe(200)
      expect(image.response.raw).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10]))
      expect(echo.response.body).toBe(bytes)
    },
  )
})

describe('Lambda entry cold start', () => {
  it('exports handler(event, context): two arguments, answered by a promise, no callback', () => {
    expect(lambda.handler).toHaveLength(2)
  })

  it('fails with a clear message when neither JWT_SECRET nor JWT_JWKS_URI is set', () => {
    const { JWT_SECRET: _omitted, ...env } = lambdaEnv

    expect(() => importLambda({ ...env, JWT_SECRET: '' })).toThrow(/JWT_SECRET .*or JWT_JWKS_URI must be set/)
  })

  it('refuses a JWT_SECRET that is still the CloudFormation reference to SSM', () => {
    const reference = '{{resolve:ssm:/notes/prod/jwt-secret}}'

    expect(() => importLambda({ ...lambdaEnv, JWT_SECRET: reference })).toThrow(
      `JWT_SECRET holds an unresolved CloudFormation reference (${reference})`,
    )
  })
})
