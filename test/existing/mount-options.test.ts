import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import express from 'express'
import request from 'supertest'
import { mount, signIn, signOut } from '../../app/existing'
import { createTestApp, registerUser, type TestApp } from '../helpers/app'
import { bearer, signExpiredToken, signToken } from '../helpers/tokens'

/**
 * Each mount option: who reaches a mount (`auth`, `scopes`), what a browser that navigates gets
 * instead of a 401 (its page cookie, renewed through /auth/page, else the sign-in page), the
 * cross-site refusal for cookie-authenticated writes, signIn/signOut, and a mount at `/` as the
 * fallback behind the app's own routes and the SPA's files. Express 4 and Express 5 apps alike.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Express 4 handlers: its types are not installed */

const express4 = require('express4')

function whoami(app: any) {
  app.get('/whoami', (req: any, res: any) => res.json({ user: req.user?.id ?? null }))
  app.post('/write', (req: any, res: any) => res.json({ wrote: true, user: req.user?.id ?? null }))
  app.post('/sign-in', async (req: any, res: any) => {
    await signIn(req, res, { id: 'user-ada', email: 'ada@example.com' })
    res.json({ user: req.user.id })
  })
  app.post('/sign-out', async (req: any, res: any) => {
    await signOut(req, res)
    res.json({ user: req.user ?? null })
  })
  return app
}

function legacyRoot() {
  const app = express4()
  app.get('/', (_req: any, res: any) => res.send('legacy home'))
  app.get('/login', (_req: any, res: any) => res.send('<form>legacy login</form>'))
  app.get('/about', (_req: any, res: any) => res.send('legacy about'))
  app.get('/api-looking', (_req: any, res: any) => res.send('legacy'))
  app.get('/health', (_req: any, res: any) => res.send('legacy health, never reached'))
  return app
}

let t: TestApp
let publicDir: string
beforeAll(async () => {
  publicDir = mkdtempSync(path.join(tmpdir(), 'spa-'))
  writeFileSync(path.join(publicDir, 'index.html'), '<!doctype html><title>SPA</title>')
  writeFileSync(path.join(publicDir, 'app.js'), 'console.log("spa")')
  t = await createTestApp({
    deps: {
      publicDir,
      mounts: [
        mount('/required', whoami(express4())),
        mount('/express5', whoami(express())),
        mount('/optional', whoami(express4()), { auth: 'optional' }),
        mount('/none', whoami(express4()), { auth: 'none' }),
        mount('/scoped', whoami(express4()), { scopes: ['reports:read'] }),
        mount('/own-login', whoami(express4()), { signInPage: '/login' }),
        mount('/', legacyRoot(), { auth: 'none' }),
      ],
    },
  })
})
afterAll(async () => {
  await t.close()
  rmSync(publicDir, { recursive: true, force: true })
})

const navigate = { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'none', Accept: 'text/html' }
const pageCookie = (token: string) => ({ Cookie: `page-token=${token}` })

describe.each(['required', 'express5'])('auth: "required" (the default), on /%s', (name) => {
  it('answers a bearer token or a page cookie with the user', async () => {
    const token = signToken(t.config, { sub: 'user-ada' })
    const byBearer = await request(t.app).get(`/${name}/whoami`).set(bearer(token))
    const byCookie = await request(t.app).get(`/${name}/whoami`).set(pageCookie(token))

    expect(byBearer.body).toEqual({ user: 'user-ada' })
    expect(byCookie.body).toEqual({ user: 'user-ada' })
    expect(byCookie.headers['cache-control']).toBe('no-store')
  })

  it('is a 401 problem for a client without a credential, and for a bad bearer token', async () => {
    const none = await request(t.app).get(`/${name}/whoami`)
    const expired = await request(t.app)
      .get(`/${name}/whoami`)
      .set(bearer(signExpiredToken(t.config)))

    expect(none.status).toBe(401)
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(none.headers['www-authenticate']).toBe('Bearer')
    expect(expired.status).toBe(401)
  })

  it('sends a browser that signed in and navigates without a live page cookie to renew it, then back', async () => {
    const expired = await request(t.app)
      .get(`/${name}/whoami?tab=2`)
      .set({ ...navigate, Cookie: `${pageCookie(signExpiredToken(t.config)).Cookie}; notes_signed_in=1` })

    expect(expired.status).toBe(303)
    expect(expired.headers.location).toBe(`/auth/page?return=${encodeURIComponent(`/${name}/whoami?tab=2`)}`)
  })

  it('sends a browser that never signed in straight to the sign-in page, never through /auth/page', async () => {
    const firstVisit = await request(t.app).get(`/${name}/whoami`).set(navigate)

    expect(firstVisit.status).toBe(303)
    // The SPA's sign-in page, at /app/ since this app has a mount at /.
    expect(firstVisit.headers.location).toBe(
      `/app/sign-in?redirect=${encodeURIComponent(`/auth/page?return=${encodeURIComponent(`/${name}/whoami`)}`)}`,
    )
  })

  it('sends it on to the sign-in page when there is no sign-in to renew, with the way back', async () => {
    const browser = request.agent(t.app)
    const renew = await browser.get(`/auth/page?return=${encodeURIComponent(`/${name}/whoami`)}`).set(navigate)
    const back = await browser.get(`/${name}/whoami`).set(navigate)

    expect(renew.status).toBe(303)
    expect(renew.headers.location).toBe(`/${name}/whoami`)
    expect(back.status).toBe(303)
    // The SPA's sign-in page, at /app/ since this app has a mount at /.
    expect(back.headers.location).toBe(
      `/app/sign-in?redirect=${encodeURIComponent(`/auth/page?return=${encodeURIComponent(`/${name}/whoami`)}`)}`,
    )
  })
})

describe('the page cookie', () => {
  it('is set by signIn: HttpOnly, SameSite=Lax, Path=/, as long as the access token; signOut clears it', async () => {
    const browser = request.agent(t.app)
    const signedIn = await browser.post('/optional/sign-in').set('Sec-Fetch-Site', 'same-origin')
    const page = await browser.get('/required/whoami').set(navigate)
    const signedOut = await browser.post('/optional/sign-out').set('Sec-Fetch-Site', 'same-origin')
    const after = await browser.get('/optional/whoami')

    const cookies = signedIn.headers['set-cookie'] as unknown as string[]
    expect(cookies.find((c) => c.startsWith('page-token='))).toMatch(
      new RegExp(
        `^page-token=[\\w-]+\\.[\\w-]+\\.[\\w-]+; Max-Age=${t.config.jwt.ttlSeconds}; Path=/; Expires=.*; HttpOnly; SameSite=Lax$`,
      ),
    )
    expect(page.body).toEqual({ user: 'user-ada' })
    expect((signedOut.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('page-token='))).toMatch(
      /Expires=Thu, 01 Jan 1970/,
    )
    expect(after.body).toEqual({ user: null })
  })

  it('is renewed from the refresh cookie of a sign-in through /auth (the SPA’s), rotating it, and the page answers', async () => {
    const browser = request.agent(t.app)
    const { email } = await registerUser(t.app)
    const login = await browser.post('/auth/login').send({ email, password: 'correct horse battery' })
    expect(login.status).toBe(200)

    const page = await browser.get('/required/whoami').set(navigate)
    const renew = await browser.get(page.headers.location).set(navigate)
    const back = await browser.get(renew.headers.location).set(navigate)

    expect(page.headers.location).toBe('/auth/page?return=%2Frequired%2Fwhoami')
    const cookies = renew.headers['set-cookie'] as unknown as string[]
    expect(cookies.find((c) => c.startsWith('notes_refresh='))).toMatch(/Path=\/auth; .*HttpOnly; SameSite=Strict/)
    expect(cookies.find((c) => c.startsWith('page-token='))).toMatch(/Path=\/; .*HttpOnly; SameSite=Lax/)
    expect(renew.headers.location).toBe('/required/whoami')
    expect(back.status).toBe(200)
    expect(back.body.user).toMatch(/\S/)
  })

  it('when the SPA renews while a page navigation renews through /auth/page with the same cookie, then neither signs the person out', async () => {
    const { email } = await registerUser(t.app)
    const login = await request(t.app).post('/auth/login').send({ email, password: 'correct horse battery' })
    const cookie = (login.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('notes_refresh='))!.split(';')[0]

    const [spa, page] = await Promise.all([
      request(t.app).post('/auth/refresh').set('Cookie', cookie),
      request(t.app)
        .get('/auth/page?return=%2Frequired%2Fwhoami')
        .set({ ...navigate, Cookie: cookie }),
    ])

    const winner = spa.status === 200 ? spa : page
    const loser = spa.status === 200 ? page : spa
    const newCookie = (winner.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('notes_refresh='))!.split(';')[0]
    // The loser's cookies are left alone; a page that lost asks again a second later, with the winner's new cookie.
    expect(((loser.headers['set-cookie'] as unknown as string[] | undefined) ?? []).some((c) => c.startsWith('notes_refresh='))).toBe(false)
    if (loser === page) expect(page.text).toContain('content="1;url=/auth/page?return=%2Frequired%2Fwhoami&#38;again=1"')
    expect((await request(t.app).post('/auth/refresh').set('Cookie', newCookie)).status).toBe(200)
  })

  it('refuses a cookie-only POST from another site (403), and lets the same site’s through', async () => {
    const cookie = pageCookie(signToken(t.config, { sub: 'user-ada' }))
    const crossSite = await request(t.app)
      .post('/required/write')
      .set({ ...cookie, 'Sec-Fetch-Site': 'cross-site' })
    const sameSiteSibling = await request(t.app)
      .post('/required/write')
      .set({ ...cookie, 'Sec-Fetch-Site': 'same-site' })
    const foreignOrigin = await request(t.app)
      .post('/required/write')
      .set({ ...cookie, Origin: 'https://evil.example' })
    const sameOrigin = await request(t.app)
      .post('/required/write')
      .set({ ...cookie, 'Sec-Fetch-Site': 'same-origin' })

    expect(crossSite.status).toBe(403)
    expect(crossSite.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(sameSiteSibling.status).toBe(403)
    expect(foreignOrigin.status).toBe(403)
    expect(sameOrigin.body).toEqual({ wrote: true, user: 'user-ada' })
  })

  it('does not refuse a bearer-token POST from another origin: a bearer token is never sent by itself', async () => {
    const res = await request(t.app)
      .post('/required/write')
      .set({ ...bearer(signToken(t.config, { sub: 'user-ada' })), 'Sec-Fetch-Site': 'cross-site' })

    expect(res.body).toEqual({ wrote: true, user: 'user-ada' })
  })

  it('is never started by a sign-in posted from another site', async () => {
    const res = await request(t.app).post('/optional/sign-in').set('Sec-Fetch-Site', 'cross-site')

    expect(res.status).toBe(403)
    expect(res.headers['set-cookie']).toBeUndefined()
  })

  it('renewal goes back only to a path of this site', async () => {
    const evil = await request(t.app).get('/auth/page?return=//evil.example/x').set(navigate)
    const backslash = await request(t.app).get('/auth/page?return=/%5Cevil.example').set(navigate)

    expect(evil.headers.location).toBe('/')
    expect(backslash.headers.location).toBe('/')
  })

  it('renewal that arrives from another site reloads itself once, so the SameSite=Strict refresh cookie comes along', async () => {
    const res = await request(t.app)
      .get('/auth/page?return=/required/whoami')
      .set({ ...navigate, 'Sec-Fetch-Site': 'cross-site' })

    expect(res.status).toBe(200)
    expect(res.text).toContain('<meta http-equiv="refresh" content="0;url=/auth/page?return=%2Frequired%2Fwhoami&#38;again=1">')
  })
})

describe('auth: "optional", "none", scopes and signInPage', () => {
  it('optional: the user when a credential came, anonymous otherwise; a bad bearer token is still a 401', async () => {
    const signed = await request(t.app)
      .get('/optional/whoami')
      .set(bearer(signToken(t.config, { sub: 'user-ada' })))
    const anonymous = await request(t.app).get('/optional/whoami')
    const bad = await request(t.app).get('/optional/whoami').set(bearer('not-a-token'))

    expect(signed.body).toEqual({ user: 'user-ada' })
    expect(anonymous.body).toEqual({ user: null })
    expect(bad.status).toBe(401)
  })

  it('none: never looks at a credential', async () => {
    const res = await request(t.app).get('/none/whoami').set(bearer('not-a-token'))

    expect(res.body).toEqual({ user: null })
  })

  it('scopes: 403 without every scope listed, the user with them', async () => {
    const without = await request(t.app)
      .get('/scoped/whoami')
      .set(bearer(signToken(t.config, { sub: 'user-ada' })))
    const withScope = await request(t.app)
      .get('/scoped/whoami')
      .set(bearer(signToken(t.config, { sub: 'user-ada', scope: 'reports:read' })))

    expect(without.status).toBe(403)
    expect(without.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="reports:read"')
    expect(withScope.body).toEqual({ user: 'user-ada' })
  })

  it('signInPage: a browser with no sign-in goes to the app’s own login page', async () => {
    const res = await request(t.app).get('/own-login/whoami').set(navigate)

    expect(res.status).toBe(303)
    expect(res.headers.location).toMatch(/^\/login\?redirect=/)
  })

  it('refuses options that cannot work, when the mount is declared', () => {
    expect(() => mount('/x', express4(), { auth: 'optional', scopes: ['a'] })).toThrow(/scopes need auth: 'required'/)
    expect(() => mount('/auth', express4())).toThrow(/one of the app's own paths/)
    expect(() => mount('/x', express4(), { signInPage: 'https://elsewhere.example/login' })).toThrow(/signInPage/)
    expect(() => mount('/x', express4(), { auth: 'sometimes' as never })).toThrow(/auth must be/)
  })
})

describe('a mount at / (the strangler fig)', () => {
  it('answers the paths nothing else takes', async () => {
    const about = await request(t.app).get('/about')
    const login = await request(t.app).get('/login')

    expect(about.text).toBe('legacy about')
    expect(login.text).toBe('<form>legacy login</form>')
    expect(about.headers['x-request-id']).toMatch(/\S/)
    expect(about.headers['x-powered-by']).toBeUndefined()
  })

  it('never takes the app’s own paths, its 404s included', async () => {
    const health = await request(t.app).get('/health')
    const unknownApi = await request(t.app)
      .get('/api/nowhere')
      .set(bearer(signToken(t.config)))
    const apiWithoutToken = await request(t.app).get('/api/nowhere')
    const unknownAuth = await request(t.app).get('/auth/nowhere')

    expect(health.body).toEqual({ status: 'ok' })
    expect(unknownApi.status).toBe(404)
    expect(unknownApi.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(unknownAuth.status).toBe(404)
    expect(apiWithoutToken.status).toBe(401)
  })

  it('answers / and every page but the SPA’s, which moves to /app/ with its files', async () => {
    const home = await request(t.app).get('/').set(navigate)
    const spaHome = await request(t.app).get('/app/').set(navigate)
    const file = await request(t.app).get('/app/app.js')
    const spaPage = await request(t.app).get('/app/notes/123').set(navigate)
    const fileAtRoot = await request(t.app).get('/app.js')
    const unknownPage = await request(t.app).get('/notes/123').set(navigate)

    expect(home.text).toBe('legacy home')
    expect(spaHome.text).toContain('<title>SPA</title>')
    expect(file.text).toBe('console.log("spa")')
    expect(spaPage.text).toContain('<title>SPA</title>')
    // Beside a mount at /, the SPA has no paths outside /app/: those are the mounted app's, its 404s included.
    expect(fileAtRoot.status).toBe(404)
    expect(unknownPage.status).toBe(404)
    expect(unknownPage.headers['content-type']).toMatch(/^application\/problem\+json/)
  })

  it('leaves a form post’s body for the mounted app, and the API’s JSON-only rule for the API', async () => {
    const legacy = await request(t.app).post('/about').type('form').send('a=1')
    const api = await request(t.app)
      .post('/api/notes')
      .set(bearer(signToken(t.config)))
      .type('form')
      .send('title=x')

    expect(legacy.status).toBe(404)
    expect(api.status).toBe(415)
  })
})
