import express, { type Express } from 'express'
import { createServer, type Server } from 'node:http'
import request from 'supertest'
import type { EmbeddedDynamo } from '../app/db/embedded'
import { createLambdaHandler } from '../app/lambda/handler'
import { createLogger } from '../app/logger'
import { mount } from '../app/existing/mount'
import { createTestApp, registerUser, testSecret, type TestApp } from './helpers/app'
import { coldStart, startDynamoWithTable } from './helpers/entries'
import {
  albEvent,
  comparable,
  eventSources,
  functionUrlEvent,
  httpApiEvent,
  lambdaContext,
  restApiEvent,
  sendToServer,
  type EventSource,
  type HttpRequest,
  type HttpResponse,
} from './helpers/events'

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
  APP_URL: 'https://notes.example.com',
  MAIL_FROM: 'no-reply@example.com',
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

async function viaLambda(handler: LambdaModule['handler'], source: EventSource, req: HttpRequest) {
  const event = source.toEvent(req)
  const context = lambdaContext()
  const result = await handler(event as never, context)
  return { response: source.fromResult(result), requestId: source.requestIdOf(event, context) }
}

/** Any other note's id: each side makes its own. */
const noteIdPattern = /\b[0-9A-HJKMNP-TV-Z]{26}\b/g

/** One side's response with its own ids, token and times replaced, so two sides compare. */
function comparableSide(res: HttpResponse, s: Session, prefix = '') {
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
      .replace(/notes_refresh=[^;]+/, 'notes_refresh=<refreshToken>') // random per sign-in
      .replace(/Expires=[^;]+/g, 'Expires=<time>')
  }
  return comparable(res, { swap, prefix, unequalHeaders: ['content-length'] })
}

describe.each(eventSources.map((source) => [source.name, source] as const))('Lambda handler behind %s', (_name, source) => {
  it('gives the dev server’s status, headers and body for every step of a session', async () => {
    const email = `parity-${Math.random().toString(36).slice(2, 10)}@example.com`
    const local: Session = {}
    const remote: Session = {}
    for (const step of sessionSteps(email)) {
      if (step.needs && source.limits[step.needs]) continue
      const expected = await sendToServer(directServer, step.request(local))
      const { response: actual, requestId } = await viaLambda(lambda.handler, source, step.request(remote))
      remember(local, expected)
      remember(remote, actual)

      const wanted = comparableSide(expected, local)
      // An ALB target group without multi-value headers carries one Set-Cookie: the first (docs/DEPLOY.md).
      if (source.limits.repeatedHeaders && Array.isArray(wanted.headers['set-cookie']))
        wanted.headers['set-cookie'] = wanted.headers['set-cookie'].slice(0, 1)
      expect({ step: step.name, ...comparableSide(actual, remote, source.prefix) }).toEqual({ step: step.name, ...wanted })
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

  it('keeps the platform’s request id when the caller sends its own, and logs the caller’s as clientRequestId', async () => {
    const clientId = `client-${Math.random().toString(36).slice(2, 10)}`

    const { response, requestId } = await viaLambda(lambda.handler, source, {
      method: 'GET',
      path: '/nowhere',
      headers: { 'X-Request-Id': clientId },
    })

    expect(response.headers['x-request-id']).toBe(requestId)
    expect(JSON.parse(response.body).requestId).toBe(requestId)
    const line = logLines.map((l) => JSON.parse(l)).find((entry) => entry.msg === 'request' && entry.clientRequestId === clientId)
    expect(line).toMatchObject({ requestId, status: 404 })
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
      const expected = await sendToServer(extrasServer, req)
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

describe('Lambda handler: cookies sent on several lines, and events that name no request', () => {
  const echo = express()
  echo.get('/cookies', (req, res) => void res.json({ cookie: req.get('cookie') ?? null }))
  const lines: Record<string, unknown>[] = []
  const handler = createLambdaHandler(echo, createLogger({ write: (line) => lines.push(JSON.parse(line)) }))

  it.each(eventSources.filter((source) => !source.limits.repeatedHeaders).map((source) => [source.name, source] as const))(
    '%s: Cookie lines reach the app joined as cookies are, with "; " (RFC 9113), never with ","',
    async (_name, source) => {
      const { response } = await viaLambda(handler, source, {
        method: 'GET',
        path: '/cookies',
        headers: { Cookie: ['notes_refresh=abc', 'theme=dark; lang=en'] },
      })

      expect(JSON.parse(response.body)).toEqual({ cookie: 'notes_refresh=abc; theme=dark; lang=en' })
    },
  )

  it('a Function URL event without rawPath: a 400 problem in the payload 2.0 shape, not a 500 in another', async () => {
    const event = functionUrlEvent({ method: 'GET', path: '/cookies' }) as unknown as Record<string, unknown>
    delete event.rawPath
    const context = lambdaContext()

    const result = await handler(event as never, context)

    expect(result.statusCode).toBe(400)
    expect(result.headers?.['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(result.multiValueHeaders).toBeUndefined()
    expect(JSON.parse(result.body)).toMatchObject({ status: 400, requestId: (event.requestContext as { requestId: string }).requestId })
    expect(lines.some((line) => line.level === 'error')).toBe(false)
  })

  it('a REST event without a path: a 400 problem in its own shape', async () => {
    const event = restApiEvent({ method: 'GET', path: '/cookies' }) as unknown as Record<string, unknown>
    delete event.path

    const result = await handler(event as never, lambdaContext())

    expect(result.statusCode).toBe(400)
    expect(result.multiValueHeaders?.['content-type']).toEqual(['application/problem+json; charset=utf-8'])
  })
})

describe('Lambda entry cold start', () => {
  it('exports handler(event, context): two arguments, answered by a promise, no callback', () => {
    expect(lambda.handler).toHaveLength(2)
  })

  it('says at start which secret signs pagination cursors', () => {
    const started = logLines.map((l) => JSON.parse(l)).find((entry) => entry.msg === 'cold start')

    expect(started).toMatchObject({ level: 'info', cursorKeyFrom: 'JWT_SECRET' })
  })

  it('refuses to start in JWKS mode without a secret for cursors, naming CURSOR_SECRET', () => {
    const jwksOnly = {
      ...lambdaEnv,
      JWT_SECRET: '',
      JWT_JWKS_URI: 'https://idp.example/.well-known/jwks.json',
      JWT_ISSUER: 'https://idp.example/',
      JWT_AUDIENCE: 'notes',
    }

    expect(() => importLambda(jwksOnly)).toThrow(/CURSOR_SECRET \(at least 32 bytes\) or JWT_SECRET must be set in production/)
  })

  it('fails with a clear message when neither JWT_SECRET nor JWT_JWKS_URI is set', () => {
    const { JWT_SECRET: _omitted, ...env } = lambdaEnv

    expect(() => importLambda({ ...env, JWT_SECRET: '' })).toThrow(/JWT_SECRET .*or JWT_JWKS_URI must be set/)
  })

  it.each([
    ['MAIL_FROM', /MAIL_FROM must be set in production/],
    ['APP_URL', /APP_URL must be set in production/],
  ])('refuses to start without %s, which password-reset emails need', (name, message) => {
    expect(() => importLambda({ ...lambdaEnv, [name]: '' })).toThrow(message)
  })

  it('starts without MAIL_FROM and APP_URL when tokens come from an identity provider (no password to reset)', () => {
    const jwks = { JWT_JWKS_URI: 'https://idp.example/.well-known/jwks.json', JWT_ISSUER: 'https://idp.example/', JWT_AUDIENCE: 'notes' }

    expect(() => importLambda({ ...lambdaEnv, ...jwks, MAIL_FROM: '', APP_URL: '' })).not.toThrow()
  })

  it('refuses a JWT_SECRET that is still the CloudFormation reference to SSM', () => {
    const reference = '{{resolve:ssm:/notes/prod/jwt-secret}}'

    expect(() => importLambda({ ...lambdaEnv, JWT_SECRET: reference })).toThrow(
      `JWT_SECRET holds an unresolved CloudFormation reference (${reference})`,
    )
  })
})

/** helmet's headers, which every answer carries, the Lambda entry's own problems included. */
function expectHelmet(response: HttpResponse) {
  expect(response.headers['x-content-type-options']).toBe('nosniff')
  expect(response.headers['content-security-policy']).toContain("default-src 'self'")
  expect(response.headers['strict-transport-security']).toBeDefined()
}

function expectProblem(response: HttpResponse, status: number, requestId: string) {
  expect(response.status).toBe(status)
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8')
  expect(response.headers['x-request-id']).toBe(requestId)
  expect(JSON.parse(response.body)).toMatchObject({ type: 'about:blank', status, requestId })
  expect(Number(response.headers['content-length'])).toBe(response.raw.length)
  expectHelmet(response)
}

const albSources = eventSources.filter((source) => source.name.startsWith('ALB'))

describe('Lambda handler: a query ALB hands over that is not validly percent-encoded', () => {
  it.each(
    albSources.flatMap((source) =>
      ['/health?x=%', '/health?cursor=%E0%A4%A', '/api/notes?cursor=%E0%A4%A', '/health?%ZZ=1'].map(
        (path) => [source.name, path, source] as const,
      ),
    ),
  )('%s: %s answers a 400 problem, with the request id, helmet’s headers and a log line', async (_name, path, source) => {
    const { response, requestId } = await viaLambda(lambda.handler, source, { method: 'GET', path })

    expectProblem(response, 400, requestId)
    expect(JSON.parse(response.body).detail).toBe('The query string is not validly percent-encoded')
    const line = logLines.map((l) => JSON.parse(l)).find((entry) => entry.requestId === requestId)
    expect(line).toMatchObject({ msg: 'request', method: 'GET', path: path.split('?')[0], status: 400 })
  })

  it.each(albSources.map((source) => [source.name, source] as const))(
    '%s: a query that is well encoded still works',
    async (_name, source) => {
      const { response } = await viaLambda(lambda.handler, source, { method: 'GET', path: '/health?x=%25&y=caf%C3%A9+au+lait' })

      expect(response.status).toBe(200)
    },
  )
})

describe('Lambda handler: a failure inside the adapter', () => {
  const lines: Record<string, unknown>[] = []
  let handler: ReturnType<typeof createLambdaHandler>

  beforeAll(() => {
    // API Gateway cannot carry a chunked response: the adapter throws while it maps this answer.
    const chunked = express()
    chunked.get('/stream', (_req, res) => {
      res.set('Transfer-Encoding', 'chunked')
      res.write('part one')
      res.end('part two')
    })
    handler = createLambdaHandler(chunked, createLogger({ write: (line) => lines.push(JSON.parse(line)) }))
  })

  it.each(eventSources.filter((source) => /HTTP API|Function URL/.test(source.name)).map((source) => [source.name, source] as const))(
    '%s: answers a 500 problem in the source’s shape, logged with the request id',
    async (_name, source) => {
      const { response, requestId } = await viaLambda(handler, source, { method: 'GET', path: '/stream' })

      expectProblem(response, 500, requestId)
      expect(JSON.parse(response.body).detail).toBe('Something went wrong on our side; quote the request id if you report it')
      expect(response.body).not.toMatch(/chunked|\bat \S+ \(/)
      expect(lines).toContainEqual(expect.objectContaining({ level: 'error', requestId, msg: 'lambda adapter failed' }))
    },
  )
})

describe('Lambda handler: REST events with only queryStringParameters', () => {
  it('keeps the query, as test tools and older integrations send it', async () => {
    const register = restApiEvent({
      method: 'POST',
      path: '/auth/register',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: `single-${Math.random().toString(36).slice(2, 10)}@example.com`, password: 'correct horse battery' }),
    })
    const { token } = JSON.parse((await lambda.handler(register, lambdaContext())).body)
    const list = (path: string) => {
      const event = restApiEvent({ method: 'GET', path, headers: { Authorization: `Bearer ${token}` } })
      return lambda.handler({ ...event, multiValueQueryStringParameters: null }, lambdaContext())
    }

    const refused = await list('/api/notes?limit=abc')
    const accepted = await list('/api/notes?limit=5')

    expect(refused.statusCode).toBe(400)
    expect(JSON.parse(refused.body).errors).toEqual([expect.objectContaining({ path: 'query.limit' })])
    expect(accepted.statusCode).toBe(200)
  })
})

describe('Lambda handler: URLs the app emits carry the prefix the request came in on', () => {
  let t: TestApp
  let handler: ReturnType<typeof createLambdaHandler>
  let auth: Record<string, string>

  beforeAll(async () => {
    // Existing code mounted in the app, redirecting and setting Location as it always did.
    const legacy = express()
    legacy.get('/old', (_req, res) => res.redirect('/legacy/new'))
    legacy.get('/elsewhere', (_req, res) => res.redirect('https://example.com/x'))
    legacy.get('/here', (_req, res) => void res.location('/legacy/here/1').status(204).end())
    t = await createTestApp({ dynamo, env: { AWS_LAMBDA_FUNCTION_NAME: 'notes-test-api' }, deps: { mounts: [mount('/legacy', legacy)] } })
    handler = createLambdaHandler(t.app, createLogger({ write: () => undefined }))
    auth = (await registerUser(t.app)).auth
  })
  afterAll(() => t.close())

  const createNote = (): HttpRequest => ({
    method: 'POST',
    path: '/api/notes',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: '{"title":"x"}',
  })
  const sources: [string, (req: HttpRequest) => object, string][] = [
    ['REST API behind a custom domain with base path /v1', (req) => restApiEvent(req, { basePath: '/v1' }), '/v1'],
    ['REST API on its execute-api URL, stage "beta"', (req) => restApiEvent(req, { stage: 'beta' }), '/beta'],
    ['HTTP API on stage "beta"', (req) => httpApiEvent(req, { stage: 'beta' }), '/beta'],
    ['HTTP API on its $default stage', (req) => httpApiEvent(req), ''],
    ['Function URL', (req) => functionUrlEvent(req), ''],
    ['ALB', (req) => albEvent(req, { multiValue: true }), ''],
  ]
  const send = async (toEvent: (req: HttpRequest) => object, req: HttpRequest) => {
    const result = await handler(toEvent(req) as never, lambdaContext())
    const headers = result.multiValueHeaders
      ? Object.fromEntries(Object.entries(result.multiValueHeaders).map(([k, v]) => [k, v[0]]))
      : result.headers
    return { status: result.statusCode, location: headers?.location }
  }

  it.each(sources)('%s: POST /api/notes answers Location with the prefix', async (_name, toEvent, prefix) => {
    const { status, location } = await send(toEvent, createNote())

    expect(status).toBe(201)
    expect(location).toMatch(new RegExp(`^${prefix}/api/notes/[0-9A-Z]{26}$`))
  })

  it.each(sources)(
    '%s: a mounted app’s redirects and Location get the prefix, absolute URLs stay as they are',
    async (_name, toEvent, prefix) => {
      const redirect = await send(toEvent, { method: 'GET', path: '/legacy/old', headers: auth })
      const located = await send(toEvent, { method: 'GET', path: '/legacy/here', headers: auth })
      const away = await send(toEvent, { method: 'GET', path: '/legacy/elsewhere', headers: auth })

      expect(redirect).toEqual({ status: 302, location: `${prefix}/legacy/new` })
      expect(located).toEqual({ status: 204, location: `${prefix}/legacy/here/1` })
      expect(away).toEqual({ status: 302, location: 'https://example.com/x' })
    },
  )

  it('on the dev server, Location has no prefix', async () => {
    const res = await request(t.app).post('/api/notes').set(auth).send({ title: 'x' })

    expect(res.headers.location).toMatch(/^\/api\/notes\/[0-9A-Z]{26}$/)
  })
})
