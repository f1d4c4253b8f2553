import type { EmbeddedDynamo } from '../app/db/embedded'
import type { HttpResult } from '../app/lambda/events'
import { loadConfig } from '../app/config'
import { testSecret } from './helpers/app'
import { coldStart, startDynamoWithTable } from './helpers/entries'
import { httpApiEvent, lambdaContext, type HttpRequest } from './helpers/events'
import { signToken } from './helpers/tokens'
import { createLambdaHandler, lambdaRequestId } from '../app/lambda/handler'
import { createLogger } from '../app/logger'
import { mount } from '../app/existing'
import { createPeeledApp } from '../functions/peeled-app'
import profileApp from '../examples/profile/app'

/**
 * Phase two: GET /api/notes/export peeled off into its own function (functions/export-notes.ts).
 * Fed the same HTTP API (payload 2.0) events, it answers exactly as the `api` function (lambda.ts)
 * does, for the caller's notes and for every way the request can fail. Both entries are imported
 * as Lambda loads them, with a Lambda environment, on one table.
 */
type Handler = (event: object, context: object) => Promise<HttpResult>

let dynamo: EmbeddedDynamo
let api: Handler
let exportNotes: Handler
/** The api function with the profile example mounted at /api/profile, and that app's reports route peeled off. */
let apiWithProfile: Handler
let profileReports: Handler
const tableName = `notes-phase-two-${Date.now()}`
const config = loadConfig({ JWT_SECRET: testSecret, TABLE_NAME: tableName })

beforeAll(async () => {
  dynamo = await startDynamoWithTable(tableName)
  // Both entries log a JSON line per request to stdout, as on Lambda.
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  const env = {
    AWS_LAMBDA_FUNCTION_NAME: 'notes-test',
    AWS_REGION: 'us-east-1',
    JWT_SECRET: testSecret,
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    CORS_ORIGINS: 'https://notes.example.com',
    APP_URL: 'https://notes.example.com',
    MAIL_FROM: 'no-reply@example.com',
  }
  api = coldStart(env, () => (require('../lambda') as typeof import('../lambda')).handler as Handler)
  exportNotes = coldStart(
    env,
    () => (require('../functions/export-notes') as typeof import('../functions/export-notes')).handler as Handler,
  )
  apiWithProfile = coldStart(env, () => {
    // app/existing/mounts.ts as docs/MIGRATING.md has a team write it: the example's one mount line.
    jest.doMock('../app/existing/mounts', () => ({ mounts: [mount('/api/profile', profileApp)] }))
    return (require('../lambda') as typeof import('../lambda')).handler as Handler
  })
  // A peeled-off function's entry, as functions/export-notes.ts is written, for the example's legacy route.
  const logger = createLogger()
  const lambdaConfig = loadConfig({ ...process.env, ...env })
  const app = createPeeledApp(
    { config: lambdaConfig, clock: () => new Date(), logger, requestIdOf: lambdaRequestId },
    { '/api/profile': profileApp },
  )
  profileReports = createLambdaHandler(app, logger) as Handler
})

afterAll(async () => {
  jest.restoreAllMocks()
  await dynamo.close()
})

async function invoke(handler: Handler, req: HttpRequest) {
  const event = httpApiEvent(req)
  const result = await handler(event, lambdaContext())
  return { result, requestId: (event.requestContext as { requestId: string }).requestId }
}

/** What must match: status, body and every header but the per-request ones, with the export's (and a report's) own time left out. */
function comparable(result: HttpResult) {
  const headers = { ...result.headers }
  delete headers['x-request-id']
  delete headers.date
  let body: unknown = result.body
  if (/json/.test(headers['content-type'] ?? '')) {
    const parsed = JSON.parse(result.body)
    delete parsed.requestId
    delete parsed.exportedAt
    // A report's time, and the Express 4 app's ETag of the body that holds it.
    if (parsed.generatedAt !== undefined) delete headers.etag
    delete parsed.generatedAt
    body = parsed
  }
  return { statusCode: result.statusCode, headers, body, cookies: result.cookies }
}

const auth = (token: string) => ({ Authorization: `Bearer ${token}` })

describe('GET /api/notes/export through its own function and through api', () => {
  const ada = signToken(config, { sub: 'user-ada', email: 'ada@example.com' })

  beforeAll(async () => {
    for (const title of ['First', 'Second', 'Third']) {
      const { result } = await invoke(api, {
        method: 'POST',
        path: '/api/notes',
        headers: { ...auth(ada), 'Content-Type': 'application/json' },
        body: JSON.stringify({ title, tags: [title.toLowerCase()] }),
      })
      expect(result.statusCode).toBe(201)
    }
  })

  it.each<[string, HttpRequest]>([
    ['the caller’s notes', { method: 'GET', path: '/api/notes/export', headers: auth(ada) }],
    ['another user’s (empty) export', { method: 'GET', path: '/api/notes/export', headers: auth(signToken(config, { sub: 'user-bob' })) }],
    [
      'a cross-origin request from the SPA',
      { method: 'GET', path: '/api/notes/export', headers: { ...auth(ada), Origin: 'https://notes.example.com' } },
    ],
    ['no token (401)', { method: 'GET', path: '/api/notes/export' }],
    [
      'an expired token (401)',
      { method: 'GET', path: '/api/notes/export', headers: auth(signToken(config, { exp: Math.floor(Date.now() / 1000) - 60 })) },
    ],
    [
      'a token without notes:read (403)',
      { method: 'GET', path: '/api/notes/export', headers: auth(signToken(config, { scope: 'notes:write' })) },
    ],
    ['a query parameter (400)', { method: 'GET', path: '/api/notes/export?limit=1', headers: auth(ada) }],
  ])('answers %s the same', async (_name, req) => {
    const viaApi = await invoke(api, req)
    const viaOwn = await invoke(exportNotes, req)

    expect(comparable(viaOwn.result)).toEqual(comparable(viaApi.result))
    expect(viaOwn.result.headers?.['x-request-id']).toBe(viaOwn.requestId)
  })

  it('exports every note, newest first', async () => {
    const { result } = await invoke(exportNotes, { method: 'GET', path: '/api/notes/export', headers: auth(ada) })

    expect(result.statusCode).toBe(200)
    expect(JSON.parse(result.body).items.map((n: { title: string }) => n.title)).toEqual(['Third', 'Second', 'First'])
  })

  it('answers any other path it is handed with the app’s 404 problem (API Gateway sends it none)', async () => {
    const { result } = await invoke(exportNotes, { method: 'GET', path: '/api/notes', headers: auth(ada) })

    expect(result.statusCode).toBe(404)
    expect(result.headers?.['content-type']).toMatch(/^application\/problem\+json/)
  })
})

describe('a legacy Express 4 route peeled off into its own function (createPeeledApp with the mounted app)', () => {
  const ada = signToken(config, { sub: 'user-ada', email: 'ada@example.com' })

  /** The access-log line the function wrote for its last request. */
  function lastRequestLog(): Record<string, unknown> {
    const lines = (process.stdout.write as unknown as jest.Mock).mock.calls.map(([line]) => String(line))
    const requests = lines.filter((line) => line.includes('"msg":"request"')).map((line) => JSON.parse(line))
    return requests[requests.length - 1]
  }

  it.each<[string, HttpRequest]>([
    ['a report', { method: 'GET', path: '/api/profile/reports/2020', headers: auth(ada) }],
    ['a report of a future year (the app’s 404)', { method: 'GET', path: '/api/profile/reports/3000', headers: auth(ada) }],
    ['a rejected promise (500 problem)', { method: 'GET', path: '/api/profile/reports/1999', headers: auth(ada) }],
    ['no token (401)', { method: 'GET', path: '/api/profile/reports/2020' }],
    [
      'a cross-origin request from the SPA',
      { method: 'GET', path: '/api/profile/reports/2020', headers: { ...auth(ada), Origin: 'https://notes.example.com' } },
    ],
  ])('answers %s as api does, and logs the same line', async (_name, req) => {
    const viaApi = await invoke(apiWithProfile, req)
    const apiLog = lastRequestLog()
    const viaOwn = await invoke(profileReports, req)
    const ownLog = lastRequestLog()

    expect(comparable(viaOwn.result)).toEqual(comparable(viaApi.result))
    expect(viaOwn.result.headers?.['x-powered-by']).toBeUndefined()
    expect(viaOwn.result.headers?.['x-request-id']).toBe(viaOwn.requestId)
    const fields = (log: Record<string, unknown>) => ({
      level: log.level,
      route: log.route,
      path: log.path,
      status: log.status,
      userId: log.userId,
    })
    expect(fields(ownLog)).toEqual(fields(apiLog))
    expect(ownLog.requestId).toBe(viaOwn.requestId)
  })

  it('logs the legacy route’s own pattern, not the mount path', async () => {
    await invoke(profileReports, { method: 'GET', path: '/api/profile/reports/2020', headers: auth(ada) })

    expect(lastRequestLog()).toMatchObject({ route: '/api/profile/reports/:year', path: '/api/profile/reports/2020', status: 200 })
  })
})
