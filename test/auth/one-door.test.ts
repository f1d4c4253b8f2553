import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { compare, hashSync } from 'bcryptjs'
import request from 'supertest'
import { createAccountsRepository } from '../../app/auth/accounts'
import { hashProblem } from '../../app/auth/imported-hashes'
import { renewalGraceSeconds } from '../../app/auth/sign-ins'
import { startEmbeddedDynamo } from '../../app/db/embedded'
import { mount, signIn, signOut, verifyLogin } from '../../app/existing'
import { importUsers } from '../../scripts/import-users'
import { createTestApp, registerUser, type TestApp } from '../helpers/app'

/**
 * Every way of signing in is one door (app/auth/sign-in-door.ts): `POST /auth/login`, a mounted app's
 * own login form (verifyLogin, then signIn) and passport's req.login share the throttle, the accounts,
 * the sign-ins and the sign-out. Each test is a probe that found a door weaker than `/auth/login`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Express 4 handlers: its types are not installed */

const express4 = require('express4')

const password = 'correct horse battery'
const sameOrigin = { 'Sec-Fetch-Site': 'same-origin' }
const form = { 'Content-Type': 'application/x-www-form-urlencoded', ...sameOrigin }

/** A legacy app's login form, as docs/MIGRATING.md has teams write it. */
function legacyLogin() {
  const app = express4()
  app.use(express4.urlencoded({ extended: false }))
  app.post('/login', async (req: any, res: any, next: any) => {
    try {
      const account = await verifyLogin(req, req.body.username, req.body.password)
      if (!account) return res.status(401).send('Wrong username or password')
      await signIn(req, res, account)
      res.redirect('/members/account')
    } catch (err: any) {
      if (err.status === 429) return res.status(429).send(`Too many tries; wait ${res.get('Retry-After')} seconds`)
      next(err)
    }
  })
  app.post('/logout', async (req: any, res: any) => {
    await signOut(req, res)
    res.redirect('/members/login')
  })
  app.get('/account', (req: any, res: any) => res.json({ user: req.user?.id ?? null }))
  return app
}

/** A mount that answers anyone and plants a `req.user` of its choosing, then passes the request on. */
function forger() {
  const app = express4()
  app.use((req: any, _res: any, next: any) => {
    req.user = { id: 'root', scopes: ['reports:read'] }
    next()
  })
  return app
}

function reports() {
  const app = express4()
  app.get('/reports/secret', (req: any, res: any) => res.json({ user: req.user?.id ?? null }))
  return app
}

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({
    env: { LOGIN_LIMIT_PER_EMAIL: '5', LOGIN_LIMIT_PER_ADDRESS: '1000' },
    deps: {
      mounts: [
        mount('/members', legacyLogin(), { auth: 'optional' }),
        mount('/reports', forger(), { auth: 'none' }),
        mount('/reports', reports(), { scopes: ['reports:read'] }),
      ],
    },
  })
})
afterAll(() => t.close())

const formLogin = (username: string, secret: string, agent = request(t.app)) =>
  agent
    .post('/members/login')
    .set(form)
    .send(`username=${encodeURIComponent(username)}&password=${encodeURIComponent(secret)}`)
const apiLogin = (email: string, secret: string) => request(t.app).post('/auth/login').send({ email, password: secret })
const setCookies = (res: request.Response): string[] => [res.headers['set-cookie'] ?? []].flat<string | string[]>()
const cookieNamed = (res: request.Response, name: string) =>
  setCookies(res)
    .find((line) => line.startsWith(`${name}=`))
    ?.split(';')[0]

describe('a mounted app’s login form', () => {
  it('is throttled like /auth/login, on the same counters: past the limit even the right password is a 429', async () => {
    const { email } = await registerUser(t.app)

    const wrong = []
    for (let i = 0; i < 12; i++) wrong.push((await formLogin(email, 'wrong password')).status)
    const right = await formLogin(email, password)
    const viaApi = await apiLogin(email, password)

    expect(wrong.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(wrong.slice(5)).toEqual(Array(7).fill(429))
    expect(right.status).toBe(429)
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0)
    expect(cookieNamed(right, 'notes_refresh')).toBeUndefined()
    expect(cookieNamed(right, 'page-token')).toBeUndefined()
    expect(viaApi.status).toBe(429)
  })

  it('counts failures at /auth/login too: a throttled email is throttled at the form', async () => {
    const { email } = await registerUser(t.app)
    for (let i = 0; i < 6; i++) await apiLogin(email, 'wrong password')

    expect((await formLogin(email, password)).status).toBe(429)
  })

  it('signs in own and imported accounts alike: one namespace of logins', async () => {
    const { email } = await registerUser(t.app)
    const accounts = createAccountsRepository({ db: t.db, tableName: t.config.tableName })
    await importUsers([{ id: 'u-1001', login: 'ada', passwordHash: hashSync(password, 4) }], accounts, new Date())

    expect((await formLogin(email, password)).status).toBe(302)
    expect((await formLogin('ADA', password)).status).toBe(302)
    expect((await apiLogin('ada', password)).body.user).toEqual({ id: 'u-1001', email: null })
  })
})

describe('signing out of a mounted app', () => {
  it('ends the sign-in on the server: the refresh cookie it started no longer renews, and it is not listed', async () => {
    const { email } = await registerUser(t.app)
    const browser = request.agent(t.app)
    const signedIn = await formLogin(email, password, browser)
    const refreshCookie = cookieNamed(signedIn, 'notes_refresh')!
    const token = (await request(t.app).post('/auth/refresh').set('Cookie', refreshCookie)).body.token as string
    const listed = await request(t.app).get('/auth/sessions').set('Authorization', `Bearer ${token}`)

    const signedOut = await browser.post('/members/logout').set(sameOrigin)
    t.clock.advance((renewalGraceSeconds + 1) * 1000)
    const after = await request(t.app).get('/auth/sessions').set('Authorization', `Bearer ${token}`)

    const formSignIn = listed.body.items.find((item: { current: boolean }) => item.current).id as string
    expect(signedOut.status).toBe(302)
    expect(cookieNamed(signedOut, 'notes_refresh')).toBe('notes_refresh=')
    expect(after.body.items.map((item: { id: string }) => item.id)).not.toContain(formSignIn)
    expect(after.body.items).toHaveLength(listed.body.items.length - 1)
    const spentOrNot = await request(t.app).post('/auth/refresh').set('Cookie', refreshCookie)
    expect(spentOrNot.status).toBe(401)
  })
})

describe('an identity planted before a mount', () => {
  it('never counts: a mount checks the credential itself, so a req.user set by an earlier mount gets a 401', async () => {
    const res = await request(t.app).get('/reports/reports/secret')

    expect(res.status).toBe(401)
  })

  it('is not what the cross-site check trusts: a forged user cannot write from another site', async () => {
    const res = await request(t.app).post('/reports/reports/secret').set('Sec-Fetch-Site', 'cross-site')

    expect(res.status).toBe(401)
  })
})

describe('refresh cookies', () => {
  it('when a request carries two, then 401 and every copy is cleared: a sibling subdomain cannot sign this browser in to its own account', async () => {
    const mine = await registerUser(t.app)
    const planted = await request(t.app)
      .post('/auth/register')
      .send({ email: `planted-${Date.now()}@example.com`, password })
    const myCookie = cookieNamed(await apiLogin(mine.email, password), 'notes_refresh')!

    const res = await request(t.app)
      .post('/auth/refresh')
      .set('Cookie', `${cookieNamed(planted, 'notes_refresh')}; ${myCookie}`)

    expect(res.status).toBe(401)
    const cleared = setCookies(res).filter((line) => line.startsWith('notes_refresh=;'))
    expect(cleared.length).toBeGreaterThanOrEqual(2)
    expect(cleared.every((line) => /Expires=Thu, 01 Jan 1970/.test(line))).toBe(true)
  })

  it('work for any user id: an imported account keyed u-1002 renews its sign-in', async () => {
    const accounts = createAccountsRepository({ db: t.db, tableName: t.config.tableName })
    await importUsers([{ id: 'u-1002', login: 'grace', passwordHash: hashSync(password, 4) }], accounts, new Date())
    const login = await apiLogin('grace', password)

    const renewed = await request(t.app).post('/auth/refresh').set('Cookie', cookieNamed(login, 'notes_refresh')!)

    expect(renewed.status).toBe(200)
    expect(renewed.body.user).toEqual({ id: 'u-1002', email: null })
  })
})

describe('registration', () => {
  it('is throttled per client address (REGISTER_LIMIT_PER_ADDRESS)', async () => {
    const limited = await createTestApp({ env: { REGISTER_LIMIT_PER_ADDRESS: '3' } })
    try {
      const statuses = []
      for (let i = 0; i < 5; i++) {
        statuses.push(
          (
            await request(limited.app)
              .post('/auth/register')
              .send({ email: `many${i}-${Date.now()}@example.com`, password })
          ).status,
        )
      }
      expect(statuses).toEqual([201, 201, 201, 429, 429])
    } finally {
      await limited.close()
    }
  })
})

describe('the table', () => {
  it('keeps accounts, sign-ins and throttle counters under prefixes of their own', async () => {
    const { email, id } = await registerUser(t.app)
    await apiLogin(email, 'wrong password')

    const account = await t.db.send(new GetCommand({ TableName: t.config.tableName, Key: { pk: `ACCOUNT#${email}`, sk: 'ACCOUNT' } }))
    const partition = await t.db.send(
      new QueryCommand({
        TableName: t.config.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `USER#${id}` },
      }),
    )
    const counter = await t.db.send(
      new QueryCommand({
        TableName: t.config.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `THROTTLE#SIGN_IN#LOGIN#${email}` },
      }),
    )

    expect(account.Item?.id).toBe(id)
    expect(partition.Items?.map((item) => String(item.sk).split('#')[0])).toEqual(['SIGNIN'])
    expect(counter.Items?.[0]?.attempts).toBe(1)
  })
})

describe('the time a password check takes', () => {
  it('is the same for an unknown login, an own account and an imported one: each waits for the costliest imported hash', async () => {
    const dynamo = await startEmbeddedDynamo()
    const first = await createTestApp({ dynamo })
    const accounts = createAccountsRepository({ db: first.db, tableName: first.config.tableName })
    const slowHash = hashSync(password, 10)
    await importUsers([{ id: 'u-slow', login: 'slow', passwordHash: slowHash }], accounts, new Date())
    const own = await registerUser(first.app)
    // A new container reads the pace the import recorded.
    const app = (await createTestApp({ dynamo, env: { TABLE_NAME: first.config.tableName } })).app
    try {
      const started = performance.now()
      await compare('not the password', slowHash)
      const slowest = performance.now() - started
      const timed = async (email: string) => {
        const at = performance.now()
        const res = await request(app).post('/auth/login').send({ email, password: 'not the password' })
        expect(res.status).toBe(401)
        return performance.now() - at
      }
      await timed('warm-up@example.com')

      const unknown = await timed('nobody@example.com')
      const ownAccount = await timed(own.email)

      // A lower bound only: waiting makes them equal, and a loaded machine can only make each slower.
      expect(unknown).toBeGreaterThanOrEqual(0.8 * slowest)
      expect(ownAccount).toBeGreaterThanOrEqual(0.8 * slowest)
    } finally {
      await first.close()
      await dynamo.close()
    }
  })
})

describe('imported hashes', () => {
  it('with bcrypt, only the exact password verifies: one that merely shares its first 72 bytes is refused, and nothing is rehashed', async () => {
    const accounts = createAccountsRepository({ db: t.db, tableName: t.config.tableName })
    const long = 'x'.repeat(72)
    await importUsers([{ id: 'u-long', login: 'long', passwordHash: hashSync(long, 4) }], accounts, new Date())
    const before = await accounts.find('long')

    const lookalike = await apiLogin('long', `${long}but more`)
    const rehashedTo = await accounts.find('long')
    const exact = await apiLogin('long', long)

    expect(lookalike.status).toBe(401)
    expect(rehashedTo?.passwordHash).toBe(before?.passwordHash)
    expect(exact.status).toBe(200)
  })

  it('over a cost cap are refused at import and never checked', async () => {
    expect(hashProblem('$2b$13$' + 'a'.repeat(53))).toMatch(/bcrypt cost 13 is over 12/)
    expect(hashProblem('pbkdf2_sha256$3000000$salt$aGFzaA==')).toMatch(/PBKDF2 at 3000000 iterations is over 1200000/)
    expect(hashProblem('scrypt:1048576:8:1$salt$abcdef')).toMatch(/scrypt N·r = 8388608 is over 262144/)
    expect(hashProblem('scrypt:16384:8:16$salt$abcdef')).toMatch(/scrypt p = 16 is over 4/)
    expect(hashProblem('$2b$10$' + 'a'.repeat(53))).toBeUndefined()

    const planted = 'pbkdf2_sha256$3000000$salt$' + Buffer.alloc(32).toString('base64')
    await t.db.send(
      new PutCommand({
        TableName: t.config.tableName,
        Item: {
          pk: 'ACCOUNT#costly',
          sk: 'ACCOUNT',
          id: 'u-costly',
          login: 'costly',
          email: null,
          passwordHash: planted,
          createdAt: '2026-01-01',
        },
      }),
    )
    const started = performance.now()
    const res = await apiLogin('costly', 'anything at all')

    expect(res.status).toBe(401)
    // Three million PBKDF2 iterations take most of a second; refused unchecked, the answer keeps the usual pace.
    expect(performance.now() - started).toBeLessThan(5000)
  })
})
