import { GetCommand } from '@aws-sdk/lib-dynamodb'
import jwt from 'jsonwebtoken'
import request from 'supertest'
import { createTestApp, testSecret, type TestApp } from '../helpers/app'

let t: TestApp
beforeAll(async () => void (t = await createTestApp()))
afterAll(() => t.close())

const password = 'correct horse battery'

describe('POST /auth/register', () => {
  it('when the email is new, then 201 with a bearer token that names the user', async () => {
    const res = await request(t.app).post('/auth/register').send({ email: 'Ada@Example.com', password })

    expect(res.status).toBe(201)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toEqual({
      token: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), email: 'ada@example.com' },
    })
    const claims = jwt.verify(res.body.token, testSecret, { algorithms: ['HS256'] }) as jwt.JwtPayload
    expect(claims).toEqual(
      expect.objectContaining({
        sub: res.body.user.id,
        email: 'ada@example.com',
        scope: 'notes:read notes:write',
        iss: 'notes-api',
        aud: 'notes-api',
      }),
    )
    expect(claims.exp! - claims.iat!).toBe(900)
  })

  it('when the email is taken in another case, then 409', async () => {
    await request(t.app).post('/auth/register').send({ email: 'grace@example.com', password })

    const res = await request(t.app).post('/auth/register').send({ email: 'GRACE@example.COM', password: 'another password' })

    expect(res.status).toBe(409)
    expect(res.headers['content-type']).toContain('application/problem+json')
  })

  it('when ten clients register one email at once, then exactly one succeeds', async () => {
    const attempts = Array.from({ length: 10 }, () => request(t.app).post('/auth/register').send({ email: 'race@example.com', password }))

    const statuses = (await Promise.all(attempts)).map((res) => res.status).sort()

    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409])
  })

  it('stores a salted scrypt hash, never the password', async () => {
    await request(t.app).post('/auth/register').send({ email: 'hash@example.com', password })

    const { Item } = await t.db.send(
      new GetCommand({ TableName: t.config.tableName, Key: { pk: 'ACCOUNT#hash@example.com', sk: 'ACCOUNT' } }),
    )

    expect(Item!.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
    expect(JSON.stringify(Item)).not.toContain(password)
  })

  it.each([
    ['a short password', { email: 'x@example.com', password: 'short' }, 'body.password'],
    ['a password of 11 characters', { email: 'x@example.com', password: 'elevenchars' }, 'body.password'],
    ['a password over 128 characters', { email: 'x@example.com', password: 'p'.repeat(129) }, 'body.password'],
    ['a bad email', { email: 'not-an-email', password }, 'body.email'],
    ['no email', { password }, 'body.email'],
    ['a number for a password', { email: 'x@example.com', password: 12345678 }, 'body.password'],
    ['an unknown field', { email: 'x@example.com', password, admin: true }, 'body.admin'],
  ])('when the body has %s, then 400 naming the field', async (_case, body, path) => {
    const res = await request(t.app).post('/auth/register').send(body)

    expect(res.status).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.any(String) })]))
  })

  it('when the body is missing, then 400', async () => {
    const res = await request(t.app).post('/auth/register')

    expect(res.status).toBe(400)
  })

  it('when registration is refused, then no user is stored', async () => {
    await request(t.app).post('/auth/register').send({ email: 'nobody@example.com', password: 'short' })

    const { Item } = await t.db.send(
      new GetCommand({ TableName: t.config.tableName, Key: { pk: 'ACCOUNT#nobody@example.com', sk: 'ACCOUNT' } }),
    )
    expect(Item).toBeUndefined()
  })
})

describe('POST /auth/login', () => {
  beforeAll(async () => {
    await request(t.app).post('/auth/register').send({ email: 'login@example.com', password })
  })

  it('when the password is right, then 200 with a token, whatever the email case', async () => {
    const res = await request(t.app).post('/auth/login').send({ email: 'LOGIN@example.com', password })

    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toEqual(
      expect.objectContaining({
        token: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
        user: { id: expect.any(String), email: 'login@example.com' },
      }),
    )
    const me = await request(t.app).get('/api/me').set('Authorization', `Bearer ${res.body.token}`)
    expect(me.body).toEqual(res.body.user)
  })

  it('when the password is wrong or the email unknown, then the same 401', async () => {
    const wrong = await request(t.app).post('/auth/login').send({ email: 'login@example.com', password: 'wrong password' })
    const unknown = await request(t.app).post('/auth/login').send({ email: 'ghost@example.com', password })

    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toBe('Bearer')
      expect(res.body.detail).toBe('Email or password is incorrect')
    }
    expect({ ...wrong.body, requestId: undefined }).toEqual({ ...unknown.body, requestId: undefined })
  })

  it('when the body has the wrong shape, then 400', async () => {
    const res = await request(t.app)
      .post('/auth/login')
      .send({ email: ['a'], password })

    expect(res.status).toBe(400)
    expect(res.body.errors[0].path).toBe('body.email')
  })
})
