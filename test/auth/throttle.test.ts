import type { Request } from 'express'
import request from 'supertest'
import { createTestApp, type TestApp } from '../helpers/app'

/**
 * Login throttling (CONTRACT.md section 3): more than LOGIN_LIMIT_PER_EMAIL failed logins for one
 * email, or LOGIN_LIMIT_PER_ADDRESS from one client address, in a 15-minute window answer 429 with
 * Retry-After, the same whether or not the account exists. Time moves with the app's clock.
 */
const password = 'correct horse battery'
const windowMs = 15 * 60 * 1000
let emails = 0
const newEmail = () => `throttle${++emails}-${Date.now()}@example.com`

/** Every app here starts at the beginning of a 15-minute window, so Retry-After is predictable. */
const windowStart = new Date(Date.UTC(2026, 11, 2, 9, 0, 0))

describe('per email', () => {
  let t: TestApp
  beforeAll(async () => void (t = await createTestApp()))
  afterAll(() => t.close())
  beforeEach(() => t.clock.set(windowStart))

  const login = (email: string, pw: string) => request(t.app).post('/auth/login').send({ email, password: pw })

  async function registered(): Promise<string> {
    const email = newEmail()
    expect((await request(t.app).post('/auth/register').send({ email, password })).status).toBe(201)
    return email
  }

  it('when an email fails 5 times, then the 6th attempt is 429 with Retry-After, even with the right password', async () => {
    const email = await registered()
    for (let i = 0; i < 5; i++) expect((await login(email, 'wrong password')).status).toBe(401)

    const res = await login(email, password)

    expect(res.status).toBe(429)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(850)
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(900)
    expect(res.body).toMatchObject({ status: 429, title: 'Too Many Requests', detail: expect.stringMatching(/try again in 15 minute/) })
  })

  it('when the email is unknown, then the answers are the same, attempt by attempt', async () => {
    const known = await registered()
    const unknown = newEmail()
    const answers = async (email: string) => {
      t.clock.set(windowStart)
      const out: unknown[] = []
      for (let i = 0; i < 7; i++) {
        const res = await login(email, 'wrong password')
        out.push({ status: res.status, retryAfter: res.headers['retry-after'], body: { ...res.body, requestId: undefined } })
      }
      return out
    }

    const forKnown = await answers(known)
    const forUnknown = await answers(unknown)

    expect(forUnknown).toEqual(forKnown)
    expect(forKnown.map((a) => (a as { status: number }).status)).toEqual([401, 401, 401, 401, 401, 429, 429])
  })

  it('when the window is over, then the person signs in: the throttle never locks for good', async () => {
    const email = await registered()
    for (let i = 0; i < 8; i++) await login(email, 'wrong password')
    expect((await login(email, password)).status).toBe(429)

    t.clock.advance(windowMs)

    expect((await login(email, password)).status).toBe(200)
  })

  it('when a login succeeds, then the email’s count starts again', async () => {
    const email = await registered()
    for (let i = 0; i < 4; i++) expect((await login(email, 'wrong password')).status).toBe(401)
    expect((await login(email, password)).status).toBe(200)

    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await login(email, 'wrong password')).status)

    expect(statuses).toEqual([401, 401, 401, 401, 401, 429])
  })

  it('when many wrong guesses race, then no more than the limit get past to the password check', async () => {
    const email = await registered()

    const results = await Promise.all(Array.from({ length: 12 }, () => login(email, 'wrong password')))

    expect(results.filter((r) => r.status === 401)).toHaveLength(5)
    expect(results.filter((r) => r.status === 429)).toHaveLength(7)
  })

  it('when one email is throttled, then another email signs in as usual', async () => {
    const throttled = await registered()
    const other = await registered()
    for (let i = 0; i < 6; i++) await login(throttled, 'wrong password')

    expect((await login(other, password)).status).toBe(200)
  })
})

describe('per client address', () => {
  let t: TestApp
  afterEach(() => t.close())

  const login = (app: TestApp, email: string, pw: string, headers: Record<string, string> = {}) =>
    request(app.app).post('/auth/login').set(headers).send({ email, password: pw })

  it('when one address fails more than LOGIN_LIMIT_PER_ADDRESS times over many emails, then it gets 429, whatever X-Forwarded-For says', async () => {
    t = await createTestApp({ env: { LOGIN_LIMIT_PER_ADDRESS: '3' } })
    t.clock.set(windowStart)

    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      statuses.push((await login(t, newEmail(), 'wrong password', { 'X-Forwarded-For': `198.51.100.${i}` })).status)
    }

    expect(statuses).toEqual([401, 401, 401, 429])
  })

  it('when the platform reports another address, then that address has a count of its own', async () => {
    t = await createTestApp({
      env: { LOGIN_LIMIT_PER_ADDRESS: '2' },
      deps: { clientAddressOf: (req: Request) => (req.get('x-test-address') === 'b' ? '203.0.113.2' : '203.0.113.1') },
    })
    t.clock.set(windowStart)
    for (let i = 0; i < 3; i++) await login(t, newEmail(), 'wrong password', { 'X-Test-Address': 'a' })

    const fromA = await login(t, newEmail(), 'wrong password', { 'X-Test-Address': 'a' })
    const fromB = await login(t, newEmail(), 'wrong password', { 'X-Test-Address': 'b' })

    expect([fromA.status, fromB.status]).toEqual([429, 401])
  })

  it('when logins succeed from one address, then they do not count against it', async () => {
    t = await createTestApp({ env: { LOGIN_LIMIT_PER_ADDRESS: '2' } })
    t.clock.set(windowStart)
    const email = newEmail()
    await request(t.app).post('/auth/register').send({ email, password })

    for (let i = 0; i < 4; i++) expect((await login(t, email, password)).status).toBe(200)
    expect((await login(t, newEmail(), 'wrong password')).status).toBe(401)
  })
})
