import request from 'supertest'
import { createTestApp, registerUser, type TestApp } from './helpers/app'

let t: TestApp
beforeAll(async () => void (t = await createTestApp()))
afterAll(() => t.close())

const expectHelmet = (res: request.Response) => {
  expect(res.headers['x-content-type-options']).toBe('nosniff')
  expect(res.headers['content-security-policy']).toContain("default-src 'self'")
  expect(res.headers['strict-transport-security']).toBeDefined()
  expect(res.headers['x-powered-by']).toBeUndefined()
}

const expectProblem = (res: request.Response, status: number) => {
  expect(res.status).toBe(status)
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8')
  expect(res.body).toEqual(
    expect.objectContaining({
      type: 'about:blank',
      title: expect.any(String),
      status,
      detail: expect.any(String),
      requestId: res.headers['x-request-id'],
    }),
  )
  expectHelmet(res)
}

describe('GET /health', () => {
  it('answers ok with security headers and a fresh request id', async () => {
    const res = await request(t.app).get('/health')

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ status: 'ok' })
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expectHelmet(res)
  })

  it('when the caller sends a plain X-Request-Id, then it is kept', async () => {
    const res = await request(t.app).get('/health').set('X-Request-Id', 'abc-123_x.y:z')

    expect(res.headers['x-request-id']).toBe('abc-123_x.y:z')
  })

  it('when the caller sends an X-Request-Id that could inject into logs, then a fresh one replaces it', async () => {
    const res = await request(t.app).get('/health').set('X-Request-Id', 'bad id"} {"level":"error')

    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('GET /openapi.json', () => {
  it('describes every route with the schemas that validate requests', async () => {
    const res = await request(t.app).get('/openapi.json')

    expect(res.status).toBe(200)
    expect(res.body.openapi).toBe('3.1.0')
    expect(Object.keys(res.body.paths).sort()).toEqual(
      [
        '/api/me',
        '/api/notes',
        '/api/notes/export',
        '/api/notes/{id}',
        '/api/notes/{id}/restore',
        '/api/trash',
        '/auth/login',
        '/auth/logout',
        '/auth/password',
        '/auth/password-reset',
        '/auth/password-reset/confirm',
        '/auth/refresh',
        '/auth/register',
        '/auth/sessions',
        '/auth/sessions/{id}',
        '/health',
        '/openapi.json',
      ].sort(),
    )
    const create = res.body.components.schemas.NoteCreate
    expect(create.additionalProperties).toBe(false)
    expect(create.properties.title).toEqual(expect.objectContaining({ type: 'string', minLength: 1, maxLength: 200 }))
    expect(create.properties.tags).toEqual(expect.objectContaining({ maxItems: 20 }))
    expect(res.body.components.schemas.RegisterRequest.properties.password).toEqual(
      expect.objectContaining({ minLength: 12, maxLength: 128 }),
    )
    expect(res.body.paths['/api/notes/{id}'].patch.responses['412']).toBeDefined()
  })
})

describe('errors', () => {
  it('when no route matches, then 404 problem+json with helmet headers', async () => {
    const res = await request(t.app).get('/nope')

    expectProblem(res, 404)
  })

  it('when the route exists but not the method, then 405 with Allow', async () => {
    const res = await request(t.app).put('/health')

    expectProblem(res, 405)
    expect(res.headers.allow).toBe('GET, HEAD')
  })

  it('when an authenticated route gets the wrong method, then 405 with every allowed method', async () => {
    const { auth } = await registerUser(t.app)

    const res = await request(t.app).put('/api/notes/01ARZ3NDEKTSV4RRFFQ69G5FAV').set(auth)

    expectProblem(res, 405)
    expect(res.headers.allow).toBe('GET, PATCH, DELETE, HEAD')
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('when OPTIONS is sent without CORS, then 204 with Allow', async () => {
    const res = await request(t.app).options('/auth/login')

    expect(res.status).toBe(204)
    expect(res.headers.allow).toBe('POST')
  })

  it('when the JSON is malformed, then 400 and nothing of the parser leaks', async () => {
    const res = await request(t.app).post('/auth/register').set('Content-Type', 'application/json').send('{"email": ')

    expectProblem(res, 400)
    expect(res.body.detail).toBe('The request body is not valid JSON')
    expect(JSON.stringify(res.body)).not.toMatch(/SyntaxError|at JSON|position/)
  })

  it('when a GET carries malformed JSON, then 400 as for any method: only a request without a body skips the parser', async () => {
    const res = await request(t.app).get('/health').set('Content-Type', 'application/json').send('{"status": ')

    expectProblem(res, 400)
    expect(res.body.detail).toBe('The request body is not valid JSON')
  })

  it('when the JSON body is a bare string, then 400', async () => {
    const res = await request(t.app).post('/auth/register').set('Content-Type', 'application/json').send('"hello"')

    expectProblem(res, 400)
  })

  it('when the body is over 100 KB, then 413', async () => {
    const res = await request(t.app)
      .post('/auth/register')
      .send({ email: 'big@example.com', password: 'x'.repeat(101 * 1024) })

    expectProblem(res, 413)
  })

  it('when a POST body is not JSON, then 415', async () => {
    const res = await request(t.app).post('/auth/register').set('Content-Type', 'text/plain').send('email=a@b.c')

    expectProblem(res, 415)
  })

  it('when a POST body is form-encoded, then 415', async () => {
    const res = await request(t.app).post('/auth/login').type('form').send({ email: 'a@b.c', password: 'whatever1' })

    expectProblem(res, 415)
  })

  it('when the JSON is in a charset other than UTF-8, then 415', async () => {
    const res = await request(t.app).post('/auth/login').set('Content-Type', 'application/json; charset=latin1').send('{}')

    expectProblem(res, 415)
  })
})

describe('CORS', () => {
  const allowed = 'http://localhost:5173'

  it('when the origin is allowed, then it is echoed and the SPA can read ETag, Location and X-Request-Id', async () => {
    const res = await request(t.app).get('/health').set('Origin', allowed)

    expect(res.headers['access-control-allow-origin']).toBe(allowed)
    expect(res.headers['access-control-expose-headers']).toBe('ETag, Location, X-Request-Id')
    expect(res.headers['access-control-allow-credentials']).toBeUndefined()
    expect(res.headers.vary).toContain('Origin')
  })

  it('when the origin is not allowed, then no CORS header is given', async () => {
    const res = await request(t.app).get('/health').set('Origin', 'https://evil.example')

    expect(res.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('when a preflight comes from an allowed origin, then 204 with the methods and headers', async () => {
    const res = await request(t.app)
      .options('/api/notes')
      .set('Origin', allowed)
      .set('Access-Control-Request-Method', 'PATCH')
      .set('Access-Control-Request-Headers', 'authorization, content-type, if-match')

    expect(res.status).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe(allowed)
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, PATCH, DELETE')
    expect(res.headers['access-control-allow-headers']).toBe('Authorization, Content-Type, If-Match')
  })

  it('when a preflight comes from another origin, then it gets no allowance', async () => {
    const res = await request(t.app)
      .options('/api/notes')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'DELETE')

    expect(res.status).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
    expect(res.headers['access-control-allow-methods']).toBeUndefined()
  })
})

describe('Content-Security-Policy', () => {
  it('when not in production, then it does not ask browsers to upgrade the plain-HTTP dev server to https', async () => {
    const res = await request(t.app).get('/health')

    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests')
  })

  it('when in production, then it asks browsers to upgrade insecure requests', async () => {
    const prod = await createTestApp({ env: { NODE_ENV: 'production' } })
    try {
      const res = await request(prod.app).get('/health')

      expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests')
    } finally {
      await prod.close()
    }
  })
})

describe('malformed URLs', () => {
  it.each(['/api/notes/%E0%A4%A', '/api/notes/%', '/api/notes/%ZZ/restore'])(
    'when a path parameter of %p cannot be decoded, then 400, not 500',
    async (path) => {
      const { auth } = await registerUser(t.app)

      const res = await request(t.app).get(path).set(auth)

      expectProblem(res, 400)
      expect(res.body.detail).toBe('The URL is not validly percent-encoded')
    },
  )
})

describe('problem bodies stay small', () => {
  it('when a body has 8,000 unknown keys, then the problem lists the first 20 and counts them all', async () => {
    const { auth } = await registerUser(t.app)
    const note: Record<string, string | number> = { title: 'Many keys' }
    for (let i = 0; i < 8000; i++) note[`k${i}`] = 1
    const sent = JSON.stringify(note)

    const res = await request(t.app).post('/api/notes').set(auth).set('Content-Type', 'application/json').send(sent)

    expectProblem(res, 400)
    expect(sent.length).toBeGreaterThan(75_000)
    expect(res.body.errors).toHaveLength(20)
    expect(res.body.errors[0]).toEqual({ path: 'body.k0', message: 'Unknown field' })
    expect(res.body.errorCount).toBe(8000)
    expect(res.body.detail).toMatch(/8000 problems; the first 20 are listed/)
    expect(Buffer.byteLength(res.text)).toBeLessThan(4096)
  })

  it('when there are a few errors, then all are listed and no count is added', async () => {
    const { auth } = await registerUser(t.app)

    const res = await request(t.app).post('/api/notes').set(auth).send({ title: 'Fine', a: 1, b: 2 })

    expectProblem(res, 400)
    expect(res.body.errors).toHaveLength(2)
    expect(res.body.errorCount).toBeUndefined()
  })
})
