import { createHmac, createPublicKey } from 'node:crypto'
import jwt from 'jsonwebtoken'
import request from 'supertest'
import { createTestApp, type TestApp } from '../helpers/app'
import { generateSigningKey, signIdpToken, startJwksServer, type JwksServer, type SigningKey } from '../helpers/jwks-server'
import { bearer, signToken } from '../helpers/tokens'

const issuer = 'https://idp.example.test/'
const audience = 'https://notes.example.test'
const rsaKey = generateSigningKey('RS256')
const ecKey = generateSigningKey('ES256')

let idp: JwksServer
let t: TestApp
beforeAll(async () => {
  idp = await startJwksServer([rsaKey, ecKey])
  t = await createTestApp({ env: { JWT_JWKS_URI: idp.uri, JWT_ISSUER: issuer, JWT_AUDIENCE: audience } })
})
afterAll(async () => {
  await t.close()
  await idp.stop()
})

/** The app's clock, in token seconds: lifetimes in these tests are measured against what the app reads. */
const now = () => Math.floor(t.clock().getTime() / 1000)
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
const idpToken = (key: SigningKey, claims: Record<string, unknown> = {}) =>
  signIdpToken(key, { iss: issuer, aud: audience, email: 'ada@example.com', scope: 'notes:read notes:write', ...claims })

/** A token signed with HMAC by hand, since jsonwebtoken refuses to sign HS256 with what looks like a public key. */
function hmacToken(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string | Buffer): string {
  const signingInput = `${base64url({ typ: 'JWT', ...header })}.${base64url(claims)}`
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`
}

describe('JWT_JWKS_URI set: tokens from an identity provider', () => {
  it.each([
    ['RS256', rsaKey],
    ['ES256', ecKey],
  ])('when a valid %s token is sent, then the identity is the token subject', async (_alg, key) => {
    const res = await request(t.app)
      .get('/api/me')
      .set(bearer(idpToken(key, { sub: 'idp|ada' })))

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ id: 'idp|ada', email: 'ada@example.com' })
  })

  it('when a token carries notes:write, then it can create a note, and the note is its subject’s', async () => {
    const auth = bearer(idpToken(rsaKey, { sub: 'idp|writer' }))

    const created = await request(t.app).post('/api/notes').set(auth).send({ title: 'From the IdP' })
    const listed = await request(t.app).get('/api/notes').set(auth)
    const otherUser = await request(t.app)
      .get(`/api/notes/${created.body.id}`)
      .set(bearer(idpToken(rsaKey, { sub: 'idp|other' })))

    expect(created.status).toBe(201)
    expect(listed.body.items.map((note: { id: string }) => note.id)).toEqual([created.body.id])
    expect(otherUser.status).toBe(404)
  })

  const stranger = generateSigningKey('RS256') // its kid is published nowhere
  const unpublished = generateSigningKey('RS256', rsaKey.kid) // same kid as a published key, another key pair
  const badTokens: [string, () => string][] = [
    ['expired', () => idpToken(rsaKey, { iat: now() - 3600, exp: now() - 60 })],
    ['expired 31 s ago (past the 30 s skew)', () => idpToken(rsaKey, { iat: now() - 600, exp: now() - 31 })],
    ['no exp', () => idpToken(rsaKey, { exp: undefined })],
    ['no sub', () => idpToken(rsaKey, { sub: undefined })],
    ['another issuer', () => idpToken(rsaKey, { iss: 'https://evil.example.test/' })],
    ['the issuer without its trailing slash', () => idpToken(rsaKey, { iss: issuer.slice(0, -1) })],
    ['another audience', () => idpToken(rsaKey, { aud: 'https://another-api.example.test' })],
    ['no audience', () => idpToken(rsaKey, { aud: undefined })],
    ['an unknown kid', () => idpToken(stranger)],
    ['a signature by another key under a published kid', () => idpToken(unpublished)],
    [
      'alg none',
      () =>
        `${base64url({ alg: 'none', typ: 'JWT', kid: rsaKey.kid })}.${base64url({ sub: 'u', iss: issuer, aud: audience, exp: now() + 600 })}.`,
    ],
    [
      'HS256 signed with the published public key (algorithm confusion)',
      () => {
        const claims = { sub: 'u', scope: 'notes:write', iss: issuer, aud: audience, exp: now() + 600 }
        const publicKeyPem = createPublicKey(rsaKey.privateKey).export({ format: 'pem', type: 'spki' })
        return hmacToken({ alg: 'HS256', kid: rsaKey.kid }, claims, publicKeyPem)
      },
    ],
    ['HS256 signed with JWT_SECRET (own tokens are not accepted in this mode)', () => signToken(t.config, { sub: 'u' })],
    ['an RS256 header on the EC key’s kid', () => signIdpToken({ ...rsaKey, kid: ecKey.kid }, { iss: issuer, aud: audience })],
    ['a Cognito ID token (token_use id)', () => idpToken(rsaKey, { token_use: 'id' })],
    ['no kid', () => jwt.sign({ sub: 'u', iss: issuer, aud: audience, exp: now() + 600 }, rsaKey.privateKey, { algorithm: 'RS256' })],
    ['garbage', () => 'not.a.jwt'],
  ]

  it.each(badTokens)('when the token has %s, then 401 invalid_token', async (_case, makeToken) => {
    const res = await request(t.app).get('/api/me').set(bearer(makeToken()))

    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
    expect(res.headers['content-type']).toContain('application/problem+json')
  })

  it('when no token is sent, then 401 with a bare Bearer challenge', async () => {
    const res = await request(t.app).get('/api/me')

    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer')
  })

  it.each(['/auth/register', '/auth/login'])('when %s is called, then 404: the app issues no tokens in this mode', async (path) => {
    const res = await request(t.app).post(path).send({ email: 'ada@example.com', password: 'correct horse battery' })

    expect(res.status).toBe(404)
    expect(res.headers['content-type']).toContain('application/problem+json')
  })
})
