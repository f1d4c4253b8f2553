import type { EmbeddedDynamo } from '../../app/db/embedded'
import type { HttpResult } from '../../app/lambda/events'
import { testSecret } from '../helpers/app'
import { coldStart, startDynamoWithTable } from '../helpers/entries'
import { albEvent, eventSources, httpApiEvent, lambdaContext, restApiEvent, type HttpRequest } from '../helpers/events'

/**
 * The browser sign-in through the Lambda entry (lambda.ts) with real event shapes: the refresh cookie
 * (`__Secure-notes_refresh`, as on Lambda it is production) leaves as each source expects it (`cookies`
 * for payload 2.0, `multiValueHeaders` for REST and ALB) on the path the client's URL had (a stage, a
 * base path), comes back in as each sends it (the v2 `cookies` array, a `Cookie` header), and login
 * throttling counts the client address that AWS saw, never one the client wrote in a header.
 */
type LambdaModule = typeof import('../../lambda')

let dynamo: EmbeddedDynamo
let lambda: LambdaModule
const tableName = `notes-lambda-sign-in-${Date.now()}`
const env = {
  AWS_LAMBDA_FUNCTION_NAME: 'notes-test-api',
  AWS_REGION: 'us-east-1',
  JWT_SECRET: testSecret,
  TABLE_NAME: tableName,
  CORS_ORIGINS: 'https://notes.example.com',
  APP_URL: 'https://notes.example.com',
  MAIL_FROM: 'no-reply@example.com',
  LOGIN_LIMIT_PER_ADDRESS: '2',
  LOGIN_LIMIT_PER_EMAIL: '50',
}
const password = 'correct horse battery'
const json = { 'Content-Type': 'application/json' }
let emails = 0
const newEmail = () => `lambda${++emails}-${Date.now()}@example.com`

beforeAll(async () => {
  dynamo = await startDynamoWithTable(tableName)
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true) // one JSON log line per request
  lambda = coldStart({ ...env, DYNAMODB_ENDPOINT: dynamo.endpoint }, () => require('../../lambda') as LambdaModule)
})

afterAll(async () => {
  jest.restoreAllMocks()
  await dynamo.close()
})

const invoke = (event: object) => lambda.handler(event as never, lambdaContext())

describe.each(eventSources)('$name', (source) => {
  const call = async (req: HttpRequest) => source.fromResult(await invoke(source.toEvent(req)))
  const lineOf = (headers: Record<string, string | string[]>) => {
    const line = [headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('__Secure-notes_refresh='))
    if (!line) throw new Error(`no refresh cookie in ${JSON.stringify(headers)}`)
    return line
  }
  const cookieOf = (headers: Record<string, string | string[]>) => lineOf(headers).split(';')[0]

  it('registers, renews with the cookie, refuses the spent one, and logs out', async () => {
    const registered = await call({
      method: 'POST',
      path: '/auth/register',
      headers: json,
      body: JSON.stringify({ email: newEmail(), password }),
    })
    expect(registered.status).toBe(201)
    const first = cookieOf(registered.headers)
    expect(lineOf(registered.headers).split('; ')).toEqual(
      expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Strict', `Path=${source.prefix}/auth`]),
    )

    const renewed = await call({ method: 'POST', path: '/auth/refresh', headers: { Cookie: first, Origin: 'https://notes.example.com' } })
    expect(renewed.status).toBe(200)
    expect(JSON.parse(renewed.body)).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 })
    const second = cookieOf(renewed.headers)
    expect(second).not.toBe(first)

    // Moments after its renewal, the spent cookie is refused and revokes nothing (a double click, two tabs).
    const replay = await call({ method: 'POST', path: '/auth/refresh', headers: { Cookie: `theme=dark; ${first}` } })
    expect(replay.status).toBe(401)
    const third = await call({ method: 'POST', path: '/auth/refresh', headers: { Cookie: second } })
    expect(third.status).toBe(200)

    const logout = await call({ method: 'POST', path: '/auth/logout', headers: { Cookie: cookieOf(third.headers) } })
    expect(logout.status).toBe(204)
    expect(cookieOf(logout.headers)).toBe('__Secure-notes_refresh=')
    expect((await call({ method: 'POST', path: '/auth/refresh', headers: { Cookie: cookieOf(third.headers) } })).status).toBe(401)
  })

  it('refuses a renewal from a foreign Origin with 403', async () => {
    const registered = await call({
      method: 'POST',
      path: '/auth/register',
      headers: json,
      body: JSON.stringify({ email: newEmail(), password }),
    })

    const res = await call({
      method: 'POST',
      path: '/auth/refresh',
      headers: { Cookie: cookieOf(registered.headers), Origin: 'https://evil.example' },
    })

    expect(res.status).toBe(403)
  })
})

describe('where Set-Cookie goes in each result', () => {
  const register = (toEvent: (req: HttpRequest) => object) =>
    invoke(toEvent({ method: 'POST', path: '/auth/register', headers: json, body: JSON.stringify({ email: newEmail(), password }) }))

  it('HTTP API (payload 2.0): in `cookies`, not in the headers', async () => {
    const result: HttpResult = await register(httpApiEvent)

    expect(result.cookies).toEqual([
      expect.stringMatching(/^__Secure-notes_refresh=.+; Path=\/auth; .*HttpOnly/),
      expect.stringMatching(/^__Secure-notes_signed_in=1; /),
    ])
    expect(Object.keys(result.headers ?? {}).map((h) => h.toLowerCase())).not.toContain('set-cookie')
  })

  it('REST API (v1): in `multiValueHeaders`', async () => {
    const result: HttpResult = await register(restApiEvent)

    expect(result.multiValueHeaders?.['set-cookie']).toEqual([
      expect.stringMatching(/^__Secure-notes_refresh=.+; Path=\/prod\/auth; .*HttpOnly/),
      expect.stringMatching(/^__Secure-notes_signed_in=1; .*Path=\/prod\//),
    ])
  })
})

describe('the client address login throttling counts', () => {
  const failedLogin = (event: object) => invoke(event).then((r) => r.statusCode)
  const badLogin = (headers: Record<string, string> = {}): HttpRequest => ({
    method: 'POST',
    path: '/auth/login',
    headers: { ...json, ...headers },
    body: JSON.stringify({ email: newEmail(), password: 'wrong password' }),
  })

  it('REST API: requestContext.identity.sourceIp, whatever X-Forwarded-For says', async () => {
    const fromAddress = (forwardedFor: string) => {
      const event = restApiEvent(badLogin({ 'X-Forwarded-For': forwardedFor }))
      event.requestContext.identity = { ...(event.requestContext.identity as object), sourceIp: '198.51.100.1' }
      return event
    }

    const statuses = [
      await failedLogin(fromAddress('10.0.0.1')),
      await failedLogin(fromAddress('10.0.0.2')),
      await failedLogin(fromAddress('10.0.0.3')),
    ]

    expect(statuses).toEqual([401, 401, 429])
  })

  it('HTTP API: requestContext.http.sourceIp, each address counted apart', async () => {
    const fromAddress = (ip: string) => {
      const event = httpApiEvent(badLogin({ 'X-Forwarded-For': '10.9.9.9' }))
      event.requestContext.http.sourceIp = ip
      return event
    }

    const statuses = [
      await failedLogin(fromAddress('198.51.100.2')),
      await failedLogin(fromAddress('198.51.100.2')),
      await failedLogin(fromAddress('198.51.100.3')),
      await failedLogin(fromAddress('198.51.100.2')),
    ]

    expect(statuses).toEqual([401, 401, 401, 429])
  })

  it('ALB: the last X-Forwarded-For entry, the one the load balancer appended', async () => {
    const viaAlb = (spoofed: string) => albEvent(badLogin({ 'X-Forwarded-For': `${spoofed}, 198.51.100.4` }), { multiValue: true })

    const statuses = [await failedLogin(viaAlb('10.1.1.1')), await failedLogin(viaAlb('10.1.1.2')), await failedLogin(viaAlb('10.1.1.3'))]

    expect(statuses).toEqual([401, 401, 429])
  })
})
