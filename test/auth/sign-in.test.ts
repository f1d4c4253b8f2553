import { GetCommand } from '@aws-sdk/lib-dynamodb'
import { createHash } from 'node:crypto'
import jwt from 'jsonwebtoken'
import request, { type Response } from 'supertest'
import { renewalGraceSeconds } from '../../app/auth/sign-ins'
import { createTestApp, testSecret, type TestApp } from '../helpers/app'

/**
 * Browser sign-ins (CONTRACT.md section 3): the refresh cookie set by register and login, its
 * rotation with reuse detection, logout, the list of sign-ins and their revocation, and password
 * changes, each through real HTTP on a real (embedded) DynamoDB.
 */
let t: TestApp
beforeAll(async () => void (t = await createTestApp()))
afterAll(() => t.close())

const password = 'correct horse battery'
let users = 0
const newEmail = () => `signin${++users}-${Date.now()}@example.com`

/** Every Set-Cookie line of a response. */
const setCookies = (res: Response): string[] => [res.headers['set-cookie'] ?? []].flat<string | string[]>()

/** The `notes_refresh=<value>` pair of a response's Set-Cookie, as a browser would send it back. */
function refreshCookie(res: Response): string {
  const line = setCookies(res).find((c) => c.startsWith('notes_refresh='))
  if (!line) throw new Error(`no refresh cookie in ${res.status} ${JSON.stringify(res.headers['set-cookie'])}`)
  return line.split(';')[0]
}

const setCookieLine = (res: Response) => setCookies(res).find((c) => c.startsWith('notes_refresh='))
const claimsOf = (token: string) => jwt.verify(token, testSecret, { algorithms: ['HS256'] }) as jwt.JwtPayload

async function register(email = newEmail(), userAgent = 'browser-one') {
  const res = await request(t.app).post('/auth/register').set('User-Agent', userAgent).send({ email, password })
  expect(res.status).toBe(201)
  return { email, res, cookie: refreshCookie(res), auth: { Authorization: `Bearer ${res.body.token}` }, userId: res.body.user.id as string }
}

async function login(email: string, userAgent = 'browser-two') {
  const res = await request(t.app).post('/auth/login').set('User-Agent', userAgent).send({ email, password })
  expect(res.status).toBe(200)
  return { res, cookie: refreshCookie(res), auth: { Authorization: `Bearer ${res.body.token}` } }
}

const refresh = (cookie?: string) => {
  const req = request(t.app).post('/auth/refresh')
  return cookie === undefined ? req : req.set('Cookie', cookie)
}

describe('the refresh cookie of register and login', () => {
  it('when a person registers, then the cookie is HttpOnly, SameSite=Strict, on /auth, for REFRESH_TTL_SECONDS, not Secure in dev', async () => {
    const { res } = await register()

    const line = setCookieLine(res)!
    const attributes = line.split('; ').slice(1)
    expect(attributes).toEqual(expect.arrayContaining(['Max-Age=2592000', 'Path=/auth', 'HttpOnly', 'SameSite=Strict']))
    expect(attributes).not.toContain('Secure')
    expect(line).toMatch(/^notes_refresh=[\w-]+\.[0-9a-f-]{36}\.[\w-]{43};/)
  })

  it('stores only the SHA-256 of the cookie, in the user partition, with a TTL of REFRESH_TTL_SECONDS', async () => {
    const { res, cookie, userId } = await register()
    const [, sid, secret] = cookie.slice('notes_refresh='.length).split('.')

    const { Item } = await t.db.send(new GetCommand({ TableName: t.config.tableName, Key: { pk: `USER#${userId}`, sk: `SIGNIN#${sid}` } }))

    expect(claimsOf(res.body.token).sid).toBe(sid)
    expect(Item!.tokenHash).toBe(createHash('sha256').update(secret).digest('base64url'))
    expect(JSON.stringify(Item)).not.toContain(secret)
    expect(Item!.expiresAt - Math.floor(Date.parse(Item!.createdAt) / 1000)).toBe(2592000)
  })

  it('when a person signs in, then the access token lasts JWT_TTL_SECONDS (900) and names its sign-in', async () => {
    const { email } = await register()

    const { res, cookie } = await login(email)

    const claims = claimsOf(res.body.token)
    expect(res.body.expiresIn).toBe(900)
    expect(claims.exp! - claims.iat!).toBe(900)
    expect(cookie).toContain(`.${claims.sid}.`)
  })

  it('in production mode, then the cookie is Secure and its name says so: __Secure-notes_refresh', async () => {
    const prod = await createTestApp({ env: { NODE_ENV: 'production' } })
    try {
      const res = await request(prod.app).post('/auth/register').send({ email: newEmail(), password })

      const line = setCookies(res).find((c) => c.startsWith('__Secure-notes_refresh='))
      expect(line!.split('; ')).toEqual(expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Strict', 'Path=/auth']))
      expect(setCookies(res).some((c) => c.startsWith('notes_refresh='))).toBe(false)
    } finally {
      await prod.close()
    }
  })
})

describe('POST /auth/refresh', () => {
  it('when the cookie is current, then 200 with a new access token of the same sign-in and a new cookie', async () => {
    const { cookie, res: registered } = await register()

    const res = await refresh(cookie)

    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toEqual({ token: expect.any(String), tokenType: 'Bearer', expiresIn: 900, user: registered.body.user })
    expect(refreshCookie(res)).not.toBe(cookie)
    expect(claimsOf(res.body.token).sid).toBe(claimsOf(registered.body.token).sid)
    const me = await request(t.app).get('/api/me').set('Authorization', `Bearer ${res.body.token}`)
    expect(me.status).toBe(200)
  })

  it('when a spent cookie comes back after the grace period, then 401 and the whole sign-in is revoked, the newest cookie too', async () => {
    const { cookie: first } = await register()
    const second = refreshCookie(await refresh(first))
    const third = refreshCookie(await refresh(second))
    t.clock.advance((renewalGraceSeconds + 1) * 1000)

    const replay = await refresh(first)

    expect(replay.status).toBe(401)
    expect(replay.headers['content-type']).toContain('application/problem+json')
    expect((await refresh(third)).status).toBe(401)
  })

  it('when a spent cookie comes back within the grace period (a double click), then 401 that revokes nothing and clears nothing', async () => {
    const { cookie: first } = await register()
    const second = refreshCookie(await refresh(first))
    t.clock.advance((renewalGraceSeconds - 1) * 1000)

    const late = await refresh(first)

    expect(late.status).toBe(401)
    expect(late.headers['retry-after']).toBe('1')
    expect(setCookieLine(late)).toBeUndefined()
    expect((await refresh(second)).status).toBe(200)
  })

  it.each([
    ['no cookie', undefined],
    ['a malformed cookie', 'notes_refresh=abc'],
    [
      'a made-up cookie',
      `notes_refresh=${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}.${'1'.repeat(8)}-1111-1111-1111-${'1'.repeat(12)}.${'a'.repeat(43)}`,
    ],
  ])('when there is %s, then 401 and the cookie is cleared', async (_case, cookie) => {
    const res = await refresh(cookie)

    expect(res.status).toBe(401)
    expect(res.body.detail).toMatch(/sign in again/)
    expect(setCookieLine(res)).toMatch(/^notes_refresh=;.*Expires=Thu, 01 Jan 1970/)
  })

  it('when a cookie guessed for a real sign-in is presented, then 401 but the sign-in lives on', async () => {
    const { cookie } = await register()
    const [userId, sid] = cookie.slice('notes_refresh='.length).split('.')

    const guess = await refresh(`notes_refresh=${userId}.${sid}.${'A'.repeat(43)}`)

    expect(guess.status).toBe(401)
    expect((await refresh(cookie)).status).toBe(200)
  })

  it('when the sign-in was unused for longer than REFRESH_TTL_SECONDS, then 401', async () => {
    const { cookie } = await register()
    t.clock.advance(2592000 * 1000 + 1000)
    try {
      expect((await refresh(cookie)).status).toBe(401)
    } finally {
      t.clock.advance(-(2592000 * 1000 + 1000))
    }
  })

  it('when a renewal happens, then the sign-in lasts REFRESH_TTL_SECONDS (its idle limit) from then, and no longer', async () => {
    const day = 86_400_000
    const idle = await createTestApp({ env: { REFRESH_TTL_SECONDS: '86400' } })
    try {
      const { body } = await request(idle.app).post('/auth/register').send({ email: newEmail(), password }).expect(201)
      let cookie = refreshCookie(await request(idle.app).post('/auth/login').send({ email: body.user.email, password }))
      for (let i = 0; i < 3; i++) {
        idle.clock.advance(0.9 * day)
        const renewed = await request(idle.app).post('/auth/refresh').set('Cookie', cookie)
        expect(renewed.status).toBe(200)
        cookie = refreshCookie(renewed)
      }
      idle.clock.advance(1.1 * day)
      expect((await request(idle.app).post('/auth/refresh').set('Cookie', cookie)).status).toBe(401)
    } finally {
      await idle.close()
    }
  })

  it('when renewals go on, then the sign-in still ends SIGN_IN_MAX_AGE_SECONDS (30 days) after the password was entered', async () => {
    const day = 86_400_000
    const { cookie: first, res } = await register()
    let cookie = first
    let renewedFor = 0
    try {
      for (let days = 5; days <= 25; days += 5) {
        t.clock.advance(5 * day)
        renewedFor += 5 * day
        const renewed = await refresh(cookie)
        expect(renewed.status).toBe(200)
        cookie = refreshCookie(renewed)
        // The cookie lives no longer than the sign-in has left.
        expect(Number(/Max-Age=(\d+)/.exec(setCookieLine(renewed)!)![1])).toBeLessThanOrEqual((30 - days) * 86_400)
      }
      t.clock.advance(5 * day)
      renewedFor += 5 * day
      const ended = await refresh(cookie)
      expect(ended.status).toBe(401)
      expect(claimsOf(res.body.token).sid).toBeDefined()
    } finally {
      t.clock.advance(-renewedFor)
    }
  })
})

describe('the Origin check on cookie routes', () => {
  it.each(['/auth/refresh', '/auth/logout'])('when %s comes from a foreign Origin, then 403 problem+json', async (path) => {
    const { cookie } = await register()

    const res = await request(t.app).post(path).set('Cookie', cookie).set('Origin', 'https://evil.example')

    expect(res.status).toBe(403)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect((await refresh(cookie)).status).toBe(200)
  })

  it.each([
    ['an origin in CORS_ORIGINS', 'http://localhost:5173'],
    ['its own origin', 'same'],
    ['the literal "null" origin', 'null'],
  ])('when refresh comes from %s, then it is judged by that', async (_case, origin) => {
    const { cookie } = await register()
    const req = request(t.app).post('/auth/refresh').set('Cookie', cookie).set('Host', 'notes.example:3000')
    const res = await req.set('Origin', origin === 'same' ? 'http://notes.example:3000' : origin)

    expect(res.status).toBe(origin === 'null' ? 403 : 200)
  })
})

describe('POST /auth/logout', () => {
  it('when the cookie is sent, then 204, the cookie is cleared and the sign-in cannot renew', async () => {
    const { cookie } = await register()

    const res = await request(t.app).post('/auth/logout').set('Cookie', cookie)

    expect(res.status).toBe(204)
    expect(setCookieLine(res)).toMatch(/^notes_refresh=;.*Path=\/auth.*Expires=Thu, 01 Jan 1970/)
    expect((await refresh(cookie)).status).toBe(401)
  })

  it('when a spent cookie of the sign-in is sent, then the sign-in ends all the same', async () => {
    const { cookie: first } = await register()
    const second = refreshCookie(await refresh(first))

    expect((await request(t.app).post('/auth/logout').set('Cookie', first)).status).toBe(204)

    expect((await refresh(second)).status).toBe(401)
  })

  it('when no cookie is sent, then 204 all the same', async () => {
    const res = await request(t.app).post('/auth/logout')

    expect(res.status).toBe(204)
  })

  it('when another sign-in of the person logs out, then this one lives on', async () => {
    const { email, cookie } = await register()
    const other = await login(email)

    await request(t.app).post('/auth/logout').set('Cookie', other.cookie)

    expect((await refresh(cookie)).status).toBe(200)
  })
})

describe('GET and DELETE /auth/sessions', () => {
  it('lists the live sign-ins with the current one marked', async () => {
    const one = await register(newEmail(), 'Firefox on a laptop')
    const two = await login(one.email, 'Safari on a phone')

    const res = await request(t.app).get('/auth/sessions').set(two.auth)

    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body.items).toHaveLength(2)
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        {
          id: claimsOf(one.res.body.token).sid,
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
          userAgent: 'Firefox on a laptop',
          current: false,
        },
        {
          id: claimsOf(two.res.body.token).sid,
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
          userAgent: 'Safari on a phone',
          current: true,
        },
      ]),
    )
  })

  it('without a token, then 401', async () => {
    expect((await request(t.app).get('/auth/sessions')).status).toBe(401)
  })

  it('when one sign-in is revoked by id, then it cannot renew and leaves the list; the caller stays', async () => {
    const one = await register()
    const two = await login(one.email)
    const sidOfTwo = claimsOf(two.res.body.token).sid as string

    const res = await request(t.app).delete(`/auth/sessions/${sidOfTwo}`).set(one.auth)

    expect(res.status).toBe(204)
    expect((await refresh(two.cookie)).status).toBe(401)
    expect((await refresh(one.cookie)).status).toBe(200)
    const list = await request(t.app).get('/auth/sessions').set(one.auth)
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([claimsOf(one.res.body.token).sid])
  })

  it('when the id is unknown, already revoked or another person’s, then 404', async () => {
    const ada = await register()
    const bob = await register()
    const sidOfBob = claimsOf(bob.res.body.token).sid as string
    const spare = await login(ada.email)
    const sidOfSpare = claimsOf(spare.res.body.token).sid as string
    await request(t.app).delete(`/auth/sessions/${sidOfSpare}`).set(ada.auth)

    for (const id of ['no-such-sign-in', sidOfSpare, sidOfBob]) {
      const res = await request(t.app).delete(`/auth/sessions/${id}`).set(ada.auth)
      expect({ id, status: res.status }).toEqual({ id, status: 404 })
    }
    expect((await refresh(bob.cookie)).status).toBe(200)
  })

  it('when every other sign-in is revoked, then only the current one renews', async () => {
    const one = await register()
    const two = await login(one.email)
    const three = await login(one.email)

    const res = await request(t.app).delete('/auth/sessions').set(two.auth)

    expect(res.status).toBe(204)
    expect((await refresh(one.cookie)).status).toBe(401)
    expect((await refresh(three.cookie)).status).toBe(401)
    expect((await refresh(two.cookie)).status).toBe(200)
  })

  it('when a sign-in is revoked, then its access token still works until it expires (it is never looked up)', async () => {
    const one = await register()
    const two = await login(one.email)

    await request(t.app).delete('/auth/sessions').set(one.auth)

    expect((await request(t.app).get('/api/me').set(two.auth)).status).toBe(200)
    expect((await refresh(two.cookie)).status).toBe(401)
  })
})

describe('POST /auth/password', () => {
  const change = (auth: Record<string, string>, body: object) => request(t.app).post('/auth/password').set(auth).send(body)

  it('when the current password is right, then 204, every other sign-in ends and this one stays', async () => {
    const one = await register()
    const two = await login(one.email)
    const newPassword = 'a much longer new passphrase'

    const res = await change(one.auth, { currentPassword: password, newPassword })

    expect(res.status).toBe(204)
    expect((await refresh(two.cookie)).status).toBe(401)
    expect((await refresh(one.cookie)).status).toBe(200)
    expect((await request(t.app).post('/auth/login').send({ email: one.email, password })).status).toBe(401)
    expect((await request(t.app).post('/auth/login').send({ email: one.email, password: newPassword })).status).toBe(200)
  })

  it('when the current password is wrong, then 400 on body.currentPassword and nothing changes', async () => {
    const one = await register()
    const two = await login(one.email)

    const res = await change(one.auth, { currentPassword: 'not my password', newPassword: 'a much longer new passphrase' })

    expect(res.status).toBe(400)
    expect(res.body.errors).toEqual([{ path: 'body.currentPassword', message: expect.any(String) }])
    expect((await refresh(two.cookie)).status).toBe(200)
  })

  it('when the current password is guessed more than LOGIN_LIMIT_PER_EMAIL times, then 429', async () => {
    const one = await register()
    const guess = () => change(one.auth, { currentPassword: 'a guess at it', newPassword: 'a much longer new passphrase' })

    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await guess()).status)

    expect(statuses).toEqual([400, 400, 400, 400, 400, 429])
  })

  it.each([
    ['too short', 'short pass', /at least 12/],
    ['too long', 'x'.repeat(129), /at most 128/],
    ['a common password', 'qwerty123456', /most commonly used passwords/],
  ])('when the new password is %s, then 400 on body.newPassword', async (_case, newPassword, message) => {
    const one = await register()

    const res = await change(one.auth, { currentPassword: password, newPassword })

    expect(res.status).toBe(400)
    expect(res.body.errors).toEqual([{ path: 'body.newPassword', message: expect.stringMatching(message) }])
  })

  it('without a token, then 401', async () => {
    expect(
      (await request(t.app).post('/auth/password').send({ currentPassword: password, newPassword: 'whatever it is now' })).status,
    ).toBe(401)
  })
})

describe('the password policy at registration', () => {
  it.each(['passwordpassword', 'QWERTY123456', 'administrator'])(
    'when the password is the common %p, then 400 saying so',
    async (common) => {
      const res = await request(t.app).post('/auth/register').send({ email: newEmail(), password: common })

      expect(res.status).toBe(400)
      expect(res.body.errors).toEqual([
        { path: 'body.password', message: 'This is one of the most commonly used passwords; choose another' },
      ])
    },
  )

  it('when the password is long and uncommon, with no digits or capitals, then it is accepted', async () => {
    const res = await request(t.app).post('/auth/register').send({ email: newEmail(), password: 'lowercase words only here' })

    expect(res.status).toBe(201)
  })
})

describe('with JWT_JWKS_URI (an external identity provider)', () => {
  let idp: TestApp
  beforeAll(async () => {
    idp = await createTestApp({
      env: { JWT_JWKS_URI: 'http://127.0.0.1:9/jwks.json', JWT_ISSUER: 'https://idp.example/', JWT_AUDIENCE: 'notes' },
    })
  })
  afterAll(() => idp.close())

  it.each([
    ['post', '/auth/refresh'],
    ['post', '/auth/logout'],
    ['get', '/auth/sessions'],
    ['delete', '/auth/sessions'],
    ['post', '/auth/password'],
  ] as const)('%s %s answers 404', async (method, path) => {
    expect((await request(idp.app)[method](path)).status).toBe(404)
  })
})
