import jwt from 'jsonwebtoken'
import { generateKeyPairSync } from 'node:crypto'
import request from 'supertest'
import { createTokenVerifier } from '../../app/auth/verifier'
import { createTestApp, type TestApp } from '../helpers/app'
import { bearer, signExpiredToken, signToken } from '../helpers/tokens'

let t: TestApp
beforeAll(async () => void (t = await createTestApp()))
afterAll(() => t.close())

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('requireAuth', () => {
  it('when a valid token is sent, then the verified identity is on the request', async () => {
    const res = await request(t.app)
      .get('/api/me')
      .set(bearer(signToken(t.config, { sub: 'u-42', email: 'u42@example.com' })))

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ id: 'u-42', email: 'u42@example.com' })
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('when no token is sent, then 401 with a bare Bearer challenge', async () => {
    const res = await request(t.app).get('/api/me')

    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer')
    expect(res.headers['content-type']).toContain('application/problem+json')
  })

  it('when another scheme is sent, then 401 with a bare Bearer challenge', async () => {
    const res = await request(t.app).get('/api/me').set('Authorization', 'Basic dXNlcjpwYXNz')

    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer')
  })

  // The app's clock, not the wall's: on a busy machine they drift apart by more than the 1 s margin below.
  const now = () => Math.floor(t.clock().getTime() / 1000)
  const badTokens: [string, () => string][] = [
    [
      'alg none',
      () =>
        `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'u', scope: 'notes:read', iss: 'notes-api', aud: 'notes-api', exp: now() + 600 })}.`,
    ],
    ['signed with another key', () => signToken(t.config, {}, {}, 'another-secret-that-is-32-bytes-long!!')],
    [
      'a tampered payload',
      () => {
        const [header, , signature] = signToken(t.config, { sub: 'u-1' }).split('.')
        return `${header}.${base64url({ sub: 'u-2', scope: 'notes:read notes:write', iss: 'notes-api', aud: 'notes-api', exp: now() + 600 })}.${signature}`
      },
    ],
    ['an expired token', () => signExpiredToken(t.config)],
    ['a token expired 31 s ago (past the 30 s skew)', () => signToken(t.config, { iat: now() - 600, exp: now() - 31 })],
    ['a token not valid yet', () => signToken(t.config, { nbf: now() + 120 })],
    ['a wrong issuer', () => signToken(t.config, {}, { issuer: 'someone-else' })],
    ['a wrong audience', () => signToken(t.config, {}, { audience: 'another-api' })],
    ['no exp', () => signToken(t.config, { exp: undefined })],
    ['no sub', () => signToken(t.config, { sub: undefined })],
    [
      'an RS256 token',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
        return jwt.sign({ sub: 'u', scope: 'notes:read', exp: now() + 600 }, privateKey, {
          algorithm: 'RS256',
          issuer: 'notes-api',
          audience: 'notes-api',
        })
      },
    ],
    ['garbage', () => 'not.a.jwt'],
  ]

  it.each(badTokens)('when the token has %s, then 401 invalid_token', async (_case, makeToken) => {
    const res = await request(t.app).get('/api/me').set(bearer(makeToken()))

    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
    expect(res.body.detail).toBe('The access token is invalid or has expired')
  })

  it('when a token expired 20 s ago, then the 30 s clock skew still accepts it', async () => {
    const res = await request(t.app)
      .get('/api/me')
      .set(bearer(signToken(t.config, { iat: now() - 600, exp: now() - 20 })))

    expect(res.status).toBe(200)
  })

  it('when the reason a token failed is logged, then the token itself is not', async () => {
    const token = signExpiredToken(t.config)

    await request(t.app).get('/api/me').set(bearer(token))

    expect(JSON.stringify(t.logs)).not.toContain(token)
  })
})

describe('requireScope', () => {
  it('when the token lacks notes:write, then writing is 403 and reading works', async () => {
    const readOnly = bearer(signToken(t.config, { sub: 'reader', scope: 'notes:read' }))

    const write = await request(t.app).post('/api/notes').set(readOnly).send({ title: 'nope' })
    const read = await request(t.app).get('/api/notes').set(readOnly)

    expect(write.status).toBe(403)
    expect(write.headers['content-type']).toContain('application/problem+json')
    expect(read.status).toBe(200)
  })

  it('when the token has no scope at all, then reading is 403', async () => {
    const res = await request(t.app)
      .get('/api/trash')
      .set(bearer(signToken(t.config, { scope: undefined })))

    expect(res.status).toBe(403)
  })
})

describe('a token verified before (the verifier remembers the tokens it verified)', () => {
  let own: TestApp
  beforeEach(async () => void (own = await createTestApp()))
  afterEach(() => own.close())
  const me = (token: string) => request(own.app).get('/api/me').set(bearer(token))
  const nowOf = (app: TestApp) => Math.floor(app.clock().getTime() / 1000)

  it('when its exp passes, with the 30 s skew, then the same token is refused', async () => {
    const token = signToken(own.config, { sub: 'u-7', exp: nowOf(own) + 60 })
    expect((await me(token)).status).toBe(200)

    own.clock.advance(60_000 + 29_000)
    const withinSkew = await me(token)
    own.clock.advance(2_000)
    const past = await me(token)

    expect(withinSkew.status).toBe(200)
    expect(past.status).toBe(401)
    expect(past.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
  })

  it('when its text differs by one character, then it is verified in full and refused', async () => {
    const token = signToken(own.config, { sub: 'u-8' })
    expect((await me(token)).status).toBe(200)
    const [header, payload, signature] = token.split('.')
    const forgedPayload = base64url({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'u-9' })
    const flipped = signature.at(-2) === 'A' ? 'B' : 'A'

    const statuses = await Promise.all(
      [`${header}.${forgedPayload}.${signature}`, `${header}.${payload}.${signature.slice(0, -2)}${flipped}${signature.at(-1)}`].map(
        async (forged) => (await me(forged)).status,
      ),
    )

    expect(statuses).toEqual([401, 401])
    expect((await me(token)).body).toMatchObject({ id: 'u-8' })
  })

  it('when many users’ tokens come and go, then each still names its own user', async () => {
    const tokens = Array.from({ length: 1_050 }, (_, i) => signToken(own.config, { sub: `user-${i}` }))
    const verify = createTokenVerifier(own.config.jwt, own.clock)

    const ids = await Promise.all(tokens.map(async (token) => (await verify(token)).id))
    const again = await Promise.all([tokens[0], tokens[1_049]].map(async (token) => (await verify(token)).id))

    expect(ids).toEqual(tokens.map((_, i) => `user-${i}`))
    expect(again).toEqual(['user-0', 'user-1049'])
  })
})
