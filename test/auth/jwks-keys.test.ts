import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import request from 'supertest'
import { jwksVerifier } from '../../app/auth/jwks'
import { loadConfig } from '../../app/config'
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../app/db/embedded'
import { createTestApp, type TestApp } from '../helpers/app'
import { generateSigningKey, signIdpToken, startJwksServer, type JwksServer, type SigningKey } from '../helpers/jwks-server'
import { bearer } from '../helpers/tokens'

const issuer = 'https://idp.example.test/'
const audience = 'notes-api'

let dynamo: EmbeddedDynamo
beforeAll(async () => void (dynamo = await startEmbeddedDynamo()))
afterAll(() => dynamo.close())

/** A fresh IdP and a fresh app (so a cold key cache) for each test: fetch counts start at zero. */
let idp: JwksServer
let t: TestApp
async function start(keys: SigningKey[]) {
  idp = await startJwksServer(keys)
  t = await createTestApp({ env: { JWT_JWKS_URI: idp.uri, JWT_ISSUER: issuer, JWT_AUDIENCE: audience }, dynamo })
}
afterEach(async () => {
  await t?.close()
  await idp?.stop()
})

// Lifetimes long enough to outlast the clock moves below, which only the app's clock sees.
const tokenFor = (key: SigningKey) => signIdpToken(key, { iss: issuer, aud: audience, exp: Math.floor(Date.now() / 1000) + 3 * 3600 })
const me = (key: SigningKey) =>
  request(t.app)
    .get('/api/me')
    .set(bearer(tokenFor(key)))
const minutes = (n: number) => n * 60_000

describe('JWKS key cache', () => {
  it('when many requests use the same key, then the JWKS is fetched once', async () => {
    const key = generateSigningKey('ES256')
    await start([key])

    for (let i = 0; i < 5; i++) expect((await me(key)).status).toBe(200)

    expect(idp.fetches).toBe(1)
  })

  it('when a cold app gets concurrent requests, then they share one JWKS fetch', async () => {
    const key = generateSigningKey('ES256')
    await start([key])

    const statuses = await Promise.all(Array.from({ length: 10 }, async () => (await me(key)).status))

    expect(statuses).toEqual(Array(10).fill(200))
    expect(idp.fetches).toBe(1)
  })

  it('when the IdP publishes a new key, then a token signed with it works on first sight of its kid', async () => {
    const oldKey = generateSigningKey('RS256')
    const newKey = generateSigningKey('ES256')
    await start([oldKey])
    expect((await me(oldKey)).status).toBe(200)

    idp.keys = [oldKey, newKey]
    const res = await me(newKey)

    expect(res.status).toBe(200)
    expect(idp.fetches).toBe(2)
  })

  it('when a key is rotated out, then its tokens are refused once the new key set is fetched', async () => {
    const oldKey = generateSigningKey('ES256')
    const newKey = generateSigningKey('ES256')
    await start([oldKey])
    expect((await me(oldKey)).status).toBe(200)

    idp.keys = [newKey]
    const withNew = await me(newKey)
    const withOld = await me(oldKey)

    expect(withNew.status).toBe(200)
    expect(withOld.status).toBe(401)
    expect(withOld.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
  })

  it('when a removed key’s cache entry expires, then its tokens are refused', async () => {
    const key = generateSigningKey('ES256')
    await start([key, generateSigningKey('ES256')])
    expect((await me(key)).status).toBe(200)
    idp.keys = idp.keys.filter((published) => published !== key)

    const beforeExpiry = await me(key)
    t.clock.advance(minutes(11))
    const afterExpiry = await me(key)

    expect(beforeExpiry.status).toBe(200)
    expect(afterExpiry.status).toBe(401)
    expect(idp.fetches).toBe(2)
  })

  it('when a flood of tokens names random kids, then the JWKS is fetched a bounded number of times', async () => {
    const key = generateSigningKey('ES256')
    await start([key])
    expect((await me(key)).status).toBe(200)

    const statuses: number[] = []
    for (let i = 0; i < 40; i++) statuses.push((await me(generateSigningKey('ES256'))).status)

    expect(statuses).toEqual(Array(40).fill(401))
    expect(idp.fetches).toBeGreaterThan(1) // unknown kids did trigger refetches...
    expect(idp.fetches).toBeLessThanOrEqual(5) // ...but no more than 5 in a minute
    expect((await me(key)).status).toBe(200)
  })

  it('when the refetch limit was reached, then a new key is picked up once the minute has passed', async () => {
    const key = generateSigningKey('ES256')
    await start([key])
    for (let i = 0; i < 10; i++) await me(generateSigningKey('ES256'))
    const newKey = generateSigningKey('ES256')
    idp.keys = [key, newKey]
    const fetchesAtLimit = idp.fetches

    const whileLimited = await me(newKey)
    t.clock.advance(minutes(1))
    const afterAMinute = await me(newKey)

    expect(whileLimited.status).toBe(401)
    expect(idp.fetches).toBe(fetchesAtLimit + 1)
    expect(afterAMinute.status).toBe(200)
  })
})

describe('JWKS unreachable', () => {
  it.each([
    ['answers 500', () => Promise.resolve(void (idp.failWith = 500))],
    ['answers 503', () => Promise.resolve(void (idp.failWith = 503))],
    ['refuses connections', () => idp.stop()],
  ])(
    'when the JWKS server %s, then a token whose key is not cached gets 503 with Retry-After, and cached keys still work',
    async (_case, breakIdp) => {
      const cached = generateSigningKey('ES256')
      await start([cached])
      expect((await me(cached)).status).toBe(200)
      // Rotated in after the app's fetch, so the app has never seen its kid.
      const unseen = generateSigningKey('ES256')
      idp.keys = [cached, unseen]

      await breakIdp()
      const uncachedRes = await me(unseen)
      const cachedRes = await me(cached)

      expect(uncachedRes.status).toBe(503)
      expect(Number(uncachedRes.headers['retry-after'])).toBeGreaterThan(0)
      expect(uncachedRes.headers['content-type']).toContain('application/problem+json')
      expect(uncachedRes.headers['www-authenticate']).toBeUndefined()
      expect(t.logs.some((line) => line.level === 'warn' && line.status === 503)).toBe(true)
      expect(cachedRes.status).toBe(200)
    },
  )

  it('when the JWKS server is down at cold start, then 503, and the same token works once it is back', async () => {
    const key = generateSigningKey('ES256')
    await start([key])
    idp.failWith = 500

    const whileDown = await me(key)
    idp.failWith = undefined
    const afterRecovery = await me(key)

    expect(whileDown.status).toBe(503)
    expect(afterRecovery.status).toBe(200)
  })

  it('when the JWKS server is down and a cached key’s entry expires, then that key keeps working', async () => {
    const key = generateSigningKey('ES256')
    await start([key])
    expect((await me(key)).status).toBe(200)

    idp.failWith = 500
    t.clock.advance(minutes(11))
    const res = await me(key)

    expect(res.status).toBe(200)
    expect(idp.fetches).toBe(2)
  })

  it('when the JWKS server keeps failing, then it is asked at most 5 times a minute and answers stay 503', async () => {
    const key = generateSigningKey('ES256')
    await start([key])
    idp.failWith = 500

    const statuses: number[] = []
    for (let i = 0; i < 12; i++) statuses.push((await me(key)).status)

    expect(statuses).toEqual(Array(12).fill(503))
    expect(idp.fetches).toBe(5)
  })

  it('when the JWKS server accepts but never answers, then the request gets 503 once the fetch times out', async () => {
    const silent = createServer(() => {}) // holds every request open
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const uri = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/jwks.json`
    const config = loadConfig({ JWT_JWKS_URI: uri, JWT_ISSUER: issuer, JWT_AUDIENCE: audience })
    const verify = jwksVerifier(config.jwt, () => new Date(), { timeoutMs: 200 })

    const started = Date.now()
    const outcome = await Promise.resolve(verify(tokenFor(generateSigningKey('ES256')))).catch((err: unknown) => err)
    silent.closeAllConnections()
    silent.close()

    expect(outcome).toMatchObject({ status: 503, headers: { 'Retry-After': expect.any(String) } })
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it.each([
    ['is not JSON', '<html>sign in</html>'],
    ['has no keys array', '{"keys":{}}'],
    ['holds no signing key', JSON.stringify({ keys: [{ kty: 'oct', kid: 'k', k: 'c2VjcmV0' }] })],
    ['is over 256 KiB', JSON.stringify({ keys: [], padding: 'x'.repeat(300 * 1024) })],
  ])('when the JWKS answer %s, then a token whose key is not cached gets 503', async (_case, body) => {
    const key = generateSigningKey('ES256')
    await start([key])
    idp.body = body

    const res = await me(key)

    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBeDefined()
  })
})

describe('what the JWKS holds', () => {
  it('when it also lists encryption keys, private keys, other key types and broken keys, then only its public signing keys are used', async () => {
    const rsa = generateSigningKey('RS256')
    const ec = generateSigningKey('ES256')
    const encryption = generateSigningKey('RS256')
    const published = generateSigningKey('ES256') // its private half published by mistake
    await start([rsa, ec])
    idp.body = JSON.stringify({
      keys: [
        { ...encryption.jwk, use: 'enc' },
        { ...published.privateKey.export({ format: 'jwk' }), kid: published.kid, use: 'sig' },
        { kty: 'oct', kid: 'shared-secret', k: 'c2VjcmV0' },
        { kty: 'RSA', kid: 'broken', n: 'AQAB' },
        { ...rsa.jwk, use: undefined }, // no `use` means any use, signing included
        ec.jwk,
      ],
    })

    const statuses = await Promise.all([rsa, ec, encryption, published].map(async (key) => (await me(key)).status))

    expect(statuses).toEqual([200, 200, 401, 401])
  })
})

describe('JWKS key rotation, whatever came before', () => {
  const seconds = (n: number) => n * 1000

  it('when junk kids spent the refetch budget, then a key the IdP publishes is accepted within 15 s', async () => {
    const key = generateSigningKey('ES256')
    await start([key])
    for (let i = 0; i < 10; i++) await me(generateSigningKey('ES256'))
    const newKey = generateSigningKey('ES256')
    idp.keys = [key, newKey]

    t.clock.advance(seconds(15))
    const res = await me(newKey)

    expect(res.status).toBe(200)
  })

  it('when the JWKS was down long enough to spend the budget, then a key published as it recovers is accepted within 15 s', async () => {
    const key = generateSigningKey('ES256')
    await start([key])
    idp.failWith = 500
    for (let i = 0; i < 12; i++) expect((await me(key)).status).toBe(503)
    const newKey = generateSigningKey('ES256')
    idp.failWith = undefined
    idp.keys = [key, newKey]

    t.clock.advance(seconds(15))
    const withNew = await me(newKey)
    const withOld = await me(key)

    expect(withNew.status).toBe(200)
    expect(withOld.status).toBe(200)
  })

  it('when junk kids keep coming for a minute, then the IdP is asked at most once per 10 s beyond the burst', async () => {
    const key = generateSigningKey('ES256')
    await start([key])
    expect((await me(key)).status).toBe(200)

    for (let i = 0; i < 60; i++) {
      expect((await me(generateSigningKey('ES256'))).status).toBe(401)
      t.clock.advance(seconds(1))
    }

    // One fetch for the first token, then the budget of 5, then at most one per 10 s of the minute.
    expect(idp.fetches).toBeLessThanOrEqual(1 + 5 + 6)
  })

  it('when the JWKS stays down, then it is asked at most once per 10 s once the burst is spent, and 503 says when to retry', async () => {
    const key = generateSigningKey('ES256')
    await start([key])
    idp.failWith = 500

    let last: request.Response | undefined
    for (let i = 0; i < 60; i++) {
      last = await me(key)
      t.clock.advance(seconds(1))
    }

    expect(last?.status).toBe(503)
    expect(Number(last?.headers['retry-after'])).toBeLessThanOrEqual(10)
    expect(idp.fetches).toBeLessThanOrEqual(5 + 6)
  })
})
