const flash = require('connect-flash')
import { compactDecrypt, decodeProtectedHeader } from 'jose'
import request from 'supertest'
import { mount, type PassportRequest, type SessionRequest } from '../../app/existing'
import { sessionKey } from '../../app/existing/session-stores'
import { createTestApp, type TestApp } from '../helpers/app'
import { bearer, signToken } from '../helpers/tokens'

/**
 * `req.session` in mounted code keeps what is written, in an encrypted, authenticated cookie: no
 * server memory. A tampered cookie is a new session; one too large is not set, and says so in the
 * log; regenerate, destroy, reload, save and connect-flash behave as express-session documents; and
 * nothing in a session changes who the user is.
 */
const express4 = require('express4')

type Req = SessionRequest & PassportRequest & { user?: { id: string } }
type Res = { json(body: unknown): void; redirect(url: string): void; sendStatus(status: number): void }

function legacyApp() {
  const app = express4()
  app.use(express4.json())
  app.use(flash())
  app.get('/show', (req: Req, res: Res) => res.json({ session: req.session, id: req.sessionID, user: req.user?.id ?? null }))
  app.post('/set', (req: Req, res: Res) => {
    Object.assign(req.session, req.body)
    res.json({ session: req.session })
  })
  app.post('/regenerate', (req: Req, res: Res) => req.session.regenerate(() => res.json({ id: req.session.id, session: req.session })))
  app.post('/destroy', (req: Req, res: Res) => req.session.destroy(() => res.json({ session: req.session ?? null })))
  app.post('/reload', (req: Req, res: Res) => {
    req.session.visits = 99
    req.session.reload(() => req.session.save(() => res.json({ visits: req.session.visits ?? null })))
  })
  app.post('/flash', (req: Req, res: Res) => {
    req.flash('info', 'Saved %s', 'the profile')
    res.redirect('/s/messages')
  })
  app.get('/messages', (req: Req, res: Res) => res.json({ info: req.flash('info') }))
  app.post('/become-admin', (req: Req, res: Res) => {
    req.session.user = { id: 'admin', scopes: ['everything'] }
    req.session.userId = 'admin'
    res.json({ user: req.user?.id })
  })
  app.post('/login', (req: Req, res: Res) =>
    req.login({ id: 'user-grace', email: 'grace@example.com' }, () => res.json({ user: req.user?.id })),
  )
  app.post('/logout', (req: Req, res: Res) => req.logout(() => res.json({ user: req.user?.id ?? null })))
  return app
}

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({
    deps: {
      mounts: [
        mount('/s', legacyApp(), { auth: 'optional' }),
        mount('/table', legacyApp(), { auth: 'optional', session: { store: 'table' } }),
      ],
    },
  })
})
afterAll(() => t.close())

const sessionCookie = (res: request.Response) =>
  ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith('session='))
const sameSite = { 'Sec-Fetch-Site': 'same-origin' }

describe('req.session in mounted code', () => {
  it('keeps what a request writes for the next request of the same browser, in a cookie', async () => {
    const browser = request.agent(t.app)
    const write = await browser.post('/s/set').send({ cart: ['book'], theme: 'dark' })
    const read = await browser.get('/s/show')

    expect(write.status).toBe(200)
    expect(sessionCookie(write)).toMatch(/^session=[^;]+; Max-Age=86400; Path=\/s; HttpOnly; SameSite=Lax$/)
    expect(read.body.session).toEqual({ cart: ['book'], theme: 'dark' })
    expect(read.body.id).toBe(write.body.session.id ?? read.body.id)
  })

  it('seals the cookie as a JWE (dir, A256GCM) under a key derived from the secret, so its content cannot be read', async () => {
    const write = await request(t.app).post('/s/set').send({ secret: 'plans' })
    const value = sessionCookie(write)!.split(';')[0].slice('session='.length)

    expect(decodeProtectedHeader(value)).toEqual({ alg: 'dir', enc: 'A256GCM' })
    expect(Buffer.from(value.split('.')[3], 'base64url').toString('latin1')).not.toContain('plans')
    const { plaintext } = await compactDecrypt(value, sessionKey(t.config.jwt.secret!))
    expect(JSON.parse(new TextDecoder().decode(plaintext))).toMatchObject({ uid: null, data: { secret: 'plans' } })
  })

  it('starts a new, empty session when the cookie was altered, and answers normally', async () => {
    const write = await request(t.app).post('/s/set').send({ role: 'member' })
    const cookie = sessionCookie(write)!.split(';')[0]
    const at = cookie.length - 5
    const tampered = cookie.slice(0, at) + (cookie[at] === 'A' ? 'B' : 'A') + cookie.slice(at + 1)

    const res = await request(t.app).get('/s/show').set('Cookie', tampered)

    expect(res.status).toBe(200)
    expect(res.body.session).toEqual({})
  })

  it('does not set a cookie that outgrows 4 KB: the previous session stays, and the log says why', async () => {
    const browser = request.agent(t.app)
    await browser.post('/s/set').send({ theme: 'dark' })
    const before = t.logs.length

    const big = await browser.post('/s/set').send({ notes: 'x'.repeat(5000) })
    const after = await browser.get('/s/show')

    expect(big.status).toBe(200)
    expect(sessionCookie(big)).toBeUndefined()
    expect(after.body.session).toEqual({ theme: 'dark' })
    expect(t.logs.slice(before)).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: expect.stringMatching(/^session not saved: it outgrew its cookie/),
        route: '/s/set',
        limit: 4000,
        requestId: big.headers['x-request-id'],
      }),
    )
  })

  it('regenerate() gives a new id and an empty session; destroy() clears the cookie', async () => {
    const browser = request.agent(t.app)
    const first = await browser.post('/s/set').send({ cart: ['book'] })
    const before = await browser.get('/s/show')
    const regenerated = await browser.post('/s/regenerate')
    await browser.post('/s/set').send({ cart: ['pen'] })
    const destroyed = await browser.post('/s/destroy')
    const after = await browser.get('/s/show')

    expect(first.status).toBe(200)
    expect(regenerated.body.session).toEqual({})
    expect(regenerated.body.id).not.toBe(before.body.id)
    expect(destroyed.body.session).toBeNull()
    expect(sessionCookie(destroyed)).toMatch(/^session=; Path=\/s; Expires=Thu, 01 Jan 1970/)
    expect(after.body.session).toEqual({})
  })

  it('reload() brings back the session as the request found it; save() calls back', async () => {
    const browser = request.agent(t.app)
    await browser.post('/s/set').send({ visits: 1 })

    const res = await browser.post('/s/reload')

    expect(res.body).toEqual({ visits: 1 })
  })

  it('carries a flash message, through connect-flash, to the next page only', async () => {
    const browser = request.agent(t.app)
    const posted = await browser.post('/s/flash')
    const shown = await browser.get('/s/messages')
    const again = await browser.get('/s/messages')

    expect(posted.status).toBe(302)
    expect(shown.body).toEqual({ info: ['Saved the profile'] })
    expect(again.body).toEqual({ info: [] })
  })
})

describe('who the user is, with a session', () => {
  it('answers req.session.user from the credential; a write to it changes nobody and is logged', async () => {
    const browser = request.agent(t.app)
    const auth = bearer(signToken(t.config, { sub: 'user-ada', email: 'ada@example.com' }))
    const before = t.logs.length

    const write = await browser.post('/s/become-admin').set(auth)
    const read = await browser.get('/s/show').set(auth)

    expect(write.body.user).toBe('user-ada')
    expect(read.body.user).toBe('user-ada')
    expect(read.body.session).toMatchObject({ userId: 'user-ada', user: { id: 'user-ada' }, passport: { user: 'user-ada' } })
    expect(t.logs.slice(before)).toContainEqual(
      expect.objectContaining({ level: 'warn', route: '/s/become-admin', fields: ['userId', 'user'] }),
    )
  })

  it('does not show one user’s session to another user of the same browser', async () => {
    const browser = request.agent(t.app)
    await browser
      .post('/s/set')
      .set(bearer(signToken(t.config, { sub: 'user-ada' })))
      .send({ cart: ['ada’s book'] })

    const bob = await browser.get('/s/show').set(bearer(signToken(t.config, { sub: 'user-bob' })))

    expect(bob.body.user).toBe('user-bob')
    expect(bob.body.session.cart).toBeUndefined()
  })

  it('passport’s req.login() signs in with the page cookie, and req.logout() signs out', async () => {
    const browser = request.agent(t.app)

    const login = await browser.post('/s/login').set(sameSite)
    const signedIn = await browser.get('/s/show')
    const logout = await browser.post('/s/logout').set(sameSite)
    const signedOut = await browser.get('/s/show')

    expect(login.body.user).toBe('user-grace')
    expect(signedIn.body.user).toBe('user-grace')
    expect(signedIn.body.session.user).toMatchObject({ id: 'user-grace', email: 'grace@example.com' })
    expect(logout.body.user).toBeNull()
    expect(signedOut.body.user).toBeNull()
    expect(signedOut.body.session).toEqual({})
  })
})

describe('sessions that start clean', () => {
  const sessionValue = (res: request.Response) => sessionCookie(res)?.split(';')[0]

  it('when a person signs in, then req.session gets a new id and keeps only its flash, not what was written before', async () => {
    const browser = request.agent(t.app)
    const anonymous = await browser.post('/s/set').send({ cart: ['planted by whoever used this browser'] })
    await browser.post('/s/flash')

    await browser.post('/s/login').set(sameSite)
    const signedIn = await browser.get('/s/show')
    const messages = await browser.get('/s/messages')

    expect(signedIn.body.user).toBe('user-grace')
    expect(signedIn.body.id).not.toBe(anonymous.body.session.id ?? signedIn.body.id + 'x')
    expect(signedIn.body.session.cart).toBeUndefined()
    expect(messages.body.info).toEqual(['Saved the profile'])
  })

  it('when an old copy of the session cookie is replayed, then it restores nothing: not after a sign-out, not after a later save', async () => {
    const browser = request.agent(t.app)
    const login = await browser.post('/s/login').set(sameSite)
    const pageToken = ((login.headers['set-cookie'] as unknown as string[]) ?? []).find((c) => c.startsWith('page-token='))!.split(';')[0]
    const first = sessionValue(await browser.post('/s/set').send({ cart: ['book'] }))!
    t.clock.advance(1000)
    await browser.post('/s/set').send({ cart: ['book', 'pen'] })

    const older = await request(t.app).get('/s/show').set('Cookie', `${first}; ${pageToken}`)
    await browser.post('/s/logout').set(sameSite)
    const afterSignOut = await request(t.app).get('/s/show').set('Cookie', first)

    expect(older.body.user).toBe('user-grace')
    expect(older.body.session.cart).toBeUndefined()
    expect(afterSignOut.body.user).toBeNull()
    expect(afterSignOut.body.session).toEqual({})
  })
})

describe('req.session kept in the table (session: { store: "table" })', () => {
  const tableCookie = (res: request.Response) =>
    ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith('session='))

  it('keeps sessions larger than a cookie, with only a signed id in the cookie', async () => {
    const browser = request.agent(t.app)
    const write = await browser.post('/table/set').send({ notes: 'x'.repeat(20_000) })
    const read = await browser.get('/table/show')

    expect(tableCookie(write)).toMatch(/^session=[\w-]+\.[\w-]+; Max-Age=86400; Path=\/table; HttpOnly; SameSite=Lax$/)
    expect(read.body.session.notes).toHaveLength(20_000)
  })

  it('refuses a forged id, and forgets a destroyed session', async () => {
    const browser = request.agent(t.app)
    const write = await browser.post('/table/set').send({ cart: ['book'] })
    const [id] = tableCookie(write)!.split(';')[0].slice('session='.length).split('.')
    const forged = await request(t.app).get('/table/show').set('Cookie', `session=${id}.AAAA`)
    const stolenThenDestroyed = tableCookie(write)!.split(';')[0]
    await browser.post('/table/destroy')
    const replayed = await request(t.app).get('/table/show').set('Cookie', stolenThenDestroyed)

    expect(forged.body.session).toEqual({})
    expect(replayed.body.session).toEqual({})
  })
})
