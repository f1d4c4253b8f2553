import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../app/db/embedded'
import { mount } from '../../app/existing'
import { lambdaRequestId } from '../../app/lambda/handler'
import profileApp from '../../examples/profile/app'
import { createTestApp, type TestApp } from '../helpers/app'
import { bearer, signExpiredToken, signToken } from '../helpers/tokens'
import { viaDevServer, viaLambda, type Transport } from './transports'

/**
 * The worked example (examples/profile/app.js): an Express 4 app that read its user from
 * express-session, mounted with one line. The same assertions run through the dev server and through
 * the Lambda handler: it answers from the token's claims, behind the app's token check, with the
 * app's request ids, logs, 404s and problem+json errors, Express 4's own error paths included.
 */
let dynamo: EmbeddedDynamo
beforeAll(async () => void (dynamo = await startEmbeddedDynamo()))
afterAll(() => dynamo.close())

const mounts = [mount('/api/profile', profileApp)]

const ways: [string, (t: TestApp) => Promise<Transport> | Transport, boolean][] = [
  ['dev server', (t) => viaDevServer(t.app), false],
  ['HTTP API', (t) => viaLambda(t.app, 'HTTP API (v2)'), true],
  ['REST API', (t) => viaLambda(t.app, 'REST API (v1)'), true],
]

describe.each(ways)('The Express 4 example mounted at /api/profile, through %s', (_name, connect, onLambda) => {
  let t: TestApp
  let via: Transport
  let auth: Record<string, string>
  const user = { sub: 'user-ada', email: 'ada@example.com' }

  beforeAll(async () => {
    t = await createTestApp({ dynamo, deps: { mounts, ...(onLambda ? { requestIdOf: lambdaRequestId } : {}) } })
    via = await connect(t)
    auth = bearer(signToken(t.config, user))
  })
  afterAll(async () => {
    await via.close()
    await t.close()
  })

  const warnings = () => t.logs.filter((line) => line.level === 'warn')

  it('answers its own route with the user its session used to hold, read from the token', async () => {
    const res = await via.send({ method: 'GET', path: '/api/profile', headers: auth })

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ id: 'user-ada', email: 'ada@example.com', theme: 'light' })
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['x-request-id']).toMatch(/\S/)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-powered-by']).toBeUndefined()
  })

  it('logs its requests in the app’s access log with the route and the user', async () => {
    const res = await via.send({ method: 'GET', path: '/api/profile/greeting/Grace', headers: auth })

    const line = t.logs.find((l) => l.msg === 'request' && l.requestId === res.headers['x-request-id'])
    expect(line).toMatchObject({ method: 'GET', route: '/api/profile/greeting/:name?', status: 200, userId: 'user-ada' })
  })

  it('keeps Express 4 path syntax: an optional parameter and an unnamed wildcard', async () => {
    const named = await via.send({ method: 'GET', path: '/api/profile/greeting/Grace', headers: auth })
    const unnamed = await via.send({ method: 'GET', path: '/api/profile/greeting', headers: auth })
    const file = await via.send({ method: 'GET', path: '/api/profile/files/reports/2026/q4.pdf', headers: auth })

    expect(named.body).toEqual({ greeting: 'Hello, Grace' })
    expect(unnamed.body).toEqual({ greeting: 'Hello, ada@example.com' })
    expect(file.body).toEqual({ owner: 'user-ada', file: 'reports/2026/q4.pdf' })
  })

  it('turns away a request without a valid token before the mounted code runs (401 problem)', async () => {
    const none = await via.send({ method: 'GET', path: '/api/profile' })
    const expired = await via.send({ method: 'GET', path: '/api/profile', headers: bearer(signExpiredToken(t.config, user)) })

    expect(none.status).toBe(401)
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(none.headers['www-authenticate']).toBe('Bearer')
    expect(expired.status).toBe(401)
    expect(expired.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
  })

  it('answers a path the mounted app does not know with the app’s 404 problem', async () => {
    const res = await via.send({ method: 'GET', path: '/api/profile/nowhere', headers: auth })

    expect(res.status).toBe(404)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.body).toMatchObject({ status: 404, detail: 'No route for GET /api/profile/nowhere', requestId: res.headers['x-request-id'] })
  })

  it('turns an error thrown synchronously in Express 4 code into a problem with its status, not an HTML page', async () => {
    const res = await via.send({ method: 'GET', path: '/api/profile/files/.ssh/id_rsa', headers: auth })

    expect(res.status).toBe(403)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.body).toMatchObject({ title: 'Forbidden', status: 403, requestId: res.headers['x-request-id'] })
  })

  it('turns a rejected promise in an Express 4 handler into a problem instead of a hanging request', async () => {
    const notFound = await via.send({ method: 'GET', path: '/api/profile/reports/2999', headers: auth })
    const failed = await via.send({ method: 'GET', path: '/api/profile/reports/1999', headers: auth })

    expect(notFound.status).toBe(404)
    expect(notFound.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(failed.status).toBe(500)
    expect(failed.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Something went wrong on our side; quote the request id if you report it',
      requestId: failed.headers['x-request-id'],
    })
    expect(failed.text).not.toMatch(/archive|<h1>|at /)
    const logged = t.logs.find((l) => l.msg === 'unhandled error' && l.requestId === failed.headers['x-request-id'])
    expect(logged?.error.message).toBe('the archive before 2000 is offline')
  })

  it('reads a JSON body the app has parsed already, through the mounted app’s own express.json()', async () => {
    const res = await via.send({
      method: 'PUT',
      path: '/api/profile/preferences',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ theme: 'dark' }),
    })

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ theme: 'dark' })
  })

  it('keeps a session write in the session cookie: sent back, the next request reads it; a client without it does not', async () => {
    const write = await via.send({
      method: 'PUT',
      path: '/api/profile/preferences',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ theme: 'dark' }),
    })
    const session = write.cookies.find((c) => c.startsWith('session='))
    const withCookie = await via.send({ method: 'GET', path: '/api/profile', headers: { ...auth, Cookie: session! } })
    const without = await via.send({ method: 'GET', path: '/api/profile', headers: auth })

    expect(write.body).toEqual({ theme: 'dark' })
    expect(withCookie.body.theme).toBe('dark')
    expect(without.body.theme).toBe('light')
  })

  it('lets session.destroy() answer without failing', async () => {
    const res = await via.send({ method: 'POST', path: '/api/profile/logout', headers: auth })

    expect(res.status).toBe(204)
    expect(warnings()).toEqual([])
  })

  it('leaves the rest of the app as it was', async () => {
    const me = await via.send({ method: 'GET', path: '/api/me', headers: auth })
    const elsewhere = await via.send({ method: 'GET', path: '/nowhere' })

    expect(me.body).toEqual({ id: 'user-ada', email: 'ada@example.com' })
    expect(elsewhere.status).toBe(404)
  })
})
