import express from 'express'
import request from 'supertest'
import { mount, type SessionRequest } from '../../app/existing'
import { createTestApp, type TestApp } from '../helpers/app'
import { bearer, signToken } from '../helpers/tokens'

/**
 * The session layer: `req.session` in mounted code is answered from the verified token. Writes change
 * only the request's own copy, are logged once per request with the route, and never reach the next
 * request, whoever sends it.
 */
const express4 = require('express4')

const shared = { tags: ['from', 'a', 'module'] }

function legacyApp() {
  const app = express4()
  app.get('/whoami', (req: SessionRequest, res: any) =>
    res.json({ session: req.session, id: req.sessionID, authenticated: req.isAuthenticated() }),
  )
  app.post('/cart', (req: SessionRequest, res: any) => {
    const session = req.session as any
    session.cart = session.cart || []
    session.cart.push('book')
    session.passport.user = 'someone-else'
    delete session.userId
    res.json({ cart: session.cart, passport: session.passport, userId: session.userId ?? null })
  })
  app.post('/id', (req: SessionRequest, res: any) => {
    ;(req.session as any).id = 'chosen-by-the-app'
    req.session.save = () => req.session
    res.json({ id: req.session.id })
  })
  app.post('/everything', (req: SessionRequest, res: any) => {
    ;(req.session as any).visits = 1
    ;(req.session as any).visits += 1
    req.login({ id: 'x' }, () =>
      req.session.regenerate(() => req.session.save(() => req.logout(() => req.session.destroy(() => res.json({ done: true }))))),
    )
  })
  app.get('/query', (req: any, res: any) => res.json(req.query))
  app.post('/tags', (req: SessionRequest, res: any) => {
    ;(req.session as any).tags.push('mutated')
    res.json({ tags: (req.session as any).tags })
  })
  return app
}

let t: TestApp
const claims = { sub: 'user-ada', email: 'ada@example.com', name: 'Ada Lovelace', jti: 'token-1' }

beforeAll(async () => {
  t = await createTestApp({
    deps: {
      mounts: [
        mount('/old', legacyApp()),
        mount('/named', legacyApp(), { session: (identity) => ({ user: { id: identity.id, name: identity.claims.name } }) }),
        mount('/shared', legacyApp(), { session: () => shared }),
        mount('/bare', legacyApp(), { session: false }),
      ],
    },
  })
})
afterAll(() => t.close())

const warnings = () => t.logs.filter((line) => line.level === 'warn')

describe('req.session in mounted code', () => {
  it('answers reads from the token: user, userId and passport’s user, with express-session’s id and cookie', async () => {
    const res = await request(t.app)
      .get('/old/whoami')
      .set(bearer(signToken(t.config, claims)))

    expect(res.status).toBe(200)
    expect(res.body.session).toMatchObject({
      userId: 'user-ada',
      user: { id: 'user-ada', email: 'ada@example.com', scopes: ['notes:read', 'notes:write'] },
      passport: { user: 'user-ada' },
      cookie: { httpOnly: true, secure: true, path: '/' },
    })
    expect(res.body.session.cookie.maxAge).toBeGreaterThan(0)
    expect(res.body.id).toBe('token-1')
    expect(res.body.authenticated).toBe(true)
  })

  it('answers from a mapping of the mount’s own, for sessions that held other fields', async () => {
    const res = await request(t.app)
      .get('/named/whoami')
      .set(bearer(signToken(t.config, claims)))

    expect(res.body.session).toMatchObject({ user: { id: 'user-ada', name: 'Ada Lovelace' } })
    expect(res.body.session.passport).toBeUndefined()
  })

  it('lets a request read back its own writes, nested ones included, and logs them once, naming the route', async () => {
    const before = warnings().length
    const res = await request(t.app)
      .post('/old/cart')
      .set(bearer(signToken(t.config, claims)))

    expect(res.body).toEqual({ cart: ['book'], passport: { user: 'someone-else' }, userId: null })
    expect(warnings().slice(before)).toEqual([
      expect.objectContaining({
        requestId: res.headers['x-request-id'],
        method: 'POST',
        route: '/old/cart',
        path: '/old/cart',
        operations: ['set cart', 'set passport.user', 'delete userId'],
      }),
    ])
  })

  it('keeps nothing for the next request: the same user, or another one, sees the token’s values again', async () => {
    await request(t.app)
      .post('/old/cart')
      .set(bearer(signToken(t.config, claims)))
    const same = await request(t.app)
      .get('/old/whoami')
      .set(bearer(signToken(t.config, claims)))
    const other = await request(t.app)
      .get('/old/whoami')
      .set(bearer(signToken(t.config, { sub: 'user-bob', email: 'bob@example.com' })))

    expect(same.body.session.cart).toBeUndefined()
    expect(same.body.session.passport).toEqual({ user: 'user-ada' })
    expect(same.body.session.userId).toBe('user-ada')
    expect(other.body.session).toMatchObject({ userId: 'user-bob', passport: { user: 'user-bob' } })
    expect(other.body.session.cart).toBeUndefined()
  })

  it('keeps nothing between concurrent requests either', async () => {
    const users = Array.from({ length: 10 }, (_, i) => `user-${i}`)
    const writes = users.map((sub) =>
      request(t.app)
        .post('/old/cart')
        .set(bearer(signToken(t.config, { sub }))),
    )
    const reads = users.map((sub) =>
      request(t.app)
        .get('/old/whoami')
        .set(bearer(signToken(t.config, { sub }))),
    )
    const results = await Promise.all([...writes, ...reads])

    for (const res of results.slice(0, 10)) expect(res.body.cart).toEqual(['book'])
    results.slice(10).forEach((res, i) => expect(res.body.session).toMatchObject({ userId: users[i], passport: { user: users[i] } }))
    for (const res of results.slice(10)) expect(res.body.session.cart).toBeUndefined()
  })

  it('never lets a write reach an object the mapping shares between requests', async () => {
    const first = await request(t.app)
      .post('/shared/tags')
      .set(bearer(signToken(t.config, claims)))
    const second = await request(t.app)
      .post('/shared/tags')
      .set(bearer(signToken(t.config, claims)))

    expect(first.body.tags).toEqual(['from', 'a', 'module', 'mutated'])
    expect(second.body.tags).toEqual(['from', 'a', 'module', 'mutated'])
    expect(shared.tags).toEqual(['from', 'a', 'module'])
  })

  it('answers login, regenerate, save, logout and destroy with their callbacks, and logs them in one warning', async () => {
    const before = warnings().length
    const res = await request(t.app)
      .post('/old/everything')
      .set(bearer(signToken(t.config, claims)))

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ done: true })
    expect(warnings().slice(before)).toHaveLength(1)
    expect(warnings().at(-1)?.operations).toEqual(['set visits', 'login', 'regenerate', 'logout', 'destroy'])
  })

  it('takes writes to express-session’s own fields and methods without throwing (strict code), for this request only', async () => {
    const res = await request(t.app)
      .post('/old/id')
      .set(bearer(signToken(t.config, claims)))
    const next = await request(t.app)
      .get('/old/whoami')
      .set(bearer(signToken(t.config, claims)))

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ id: 'chosen-by-the-app' })
    expect(warnings().at(-1)).toMatchObject({ requestId: res.headers['x-request-id'], operations: ['set id', 'set save'] })
    expect(next.body.id).toBe('token-1')
  })

  it('logs nothing for a request that only reads', async () => {
    const before = warnings().length
    await request(t.app)
      .get('/old/whoami')
      .set(bearer(signToken(t.config, claims)))

    expect(warnings()).toHaveLength(before)
  })

  it('can be left off for a mount', async () => {
    const res = await request(t.app)
      .get('/bare/whoami')
      .set(bearer(signToken(t.config, claims)))

    expect(res.status).toBe(500)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  })
})

describe('Express 4 code mounted', () => {
  it('keeps Express 4’s own request: its extended query parser nests what the app’s simple one would not', async () => {
    const res = await request(t.app)
      .get('/old/query?filter[tag]=a&ids[]=1&ids[]=2')
      .set(bearer(signToken(t.config, claims)))

    expect(res.body).toEqual({ filter: { tag: 'a' }, ids: ['1', '2'] })
  })
})

describe('mount()', () => {
  it('refuses a path that is not a plain path, and anything that is not a function', () => {
    expect(() => mount('legacy', express.Router())).toThrow(/not a plain path/)
    expect(() => mount('/api/:id', express.Router())).toThrow(/not a plain path/)
    expect(() => mount('/a//b', express.Router())).toThrow(/not a plain path/)
    expect(() => mount('/', express.Router())).toThrow(/a path of its own/)
    expect(() => mount('/legacy', {} as never)).toThrow(/expected an Express app, router or middleware/)
  })

  it('mounts Express 5 routers and apps and an Express 4 router too, each falling through to the app’s 404', async () => {
    const router5 = express.Router().get('/hi', (req, res) => void res.json({ via: 'express 5 router', user: req.user!.id }))
    const app5 = express().get('/hi', (req, res) => void res.json({ via: 'express 5 app', user: req.user!.id }))
    const router4 = express4.Router().get('/hi', async (req: any, res: any) => res.json({ via: 'express 4 router', user: req.user.id }))
    router4.get('/fail', async () => {
      throw new Error('rejected in an Express 4 router')
    })
    const other = await createTestApp({ deps: { mounts: [mount('/r5', router5), mount('/a5', app5), mount('/r4', router4)] } })
    const app = other.app
    const auth = bearer(signToken(t.config, claims))

    for (const [path, via] of [
      ['/r5', 'express 5 router'],
      ['/a5', 'express 5 app'],
      ['/r4', 'express 4 router'],
    ]) {
      const hi = await request(app).get(`${path}/hi`).set(auth)
      const missing = await request(app).get(`${path}/missing`).set(auth)

      expect(hi.body).toEqual({ via, user: 'user-ada' })
      expect(missing.status).toBe(404)
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/)
    }
    const failed = await request(app).get('/r4/fail').set(auth)
    await other.close()
    expect(failed.status).toBe(500)
    expect(failed.headers['content-type']).toMatch(/^application\/problem\+json/)
  })
})
