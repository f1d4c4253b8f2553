import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb'
import { hashSync } from 'bcryptjs'
import { createHash } from 'node:crypto'
import request, { type Response } from 'supertest'
import { refreshCookieName } from '../../app/auth/refresh-cookie'
import { createAccountsRepository } from '../../app/auth/accounts'
import type { Mailer, MailMessage } from '../../app/mail/mailer'
import { createTestApp, type TestApp } from '../helpers/app'

/**
 * Password reset by email (CONTRACT.md section 3, OWASP's Forgot Password cheat sheet): one answer
 * whether or not the account exists, a single-use token of which only the hash is stored, valid 30
 * minutes, a link built from APP_URL with the token in its fragment, and a new password that ends
 * every sign-in and the failed-login count. Real HTTP on a real (embedded) DynamoDB; emails are read
 * from the app's local outbox.
 */
const password = 'correct horse battery'
const newPassword = 'a brand new passphrase'
let emails = 0
const newEmail = () => `reset${++emails}-${Date.now()}@example.com`

let t: TestApp
beforeAll(async () => void (t = await createTestApp()))
afterAll(() => t.close())
// Each test in a request-limit window of its own: every request here comes from one address.
beforeEach(() => t.clock.advance(15 * 60 * 1000))

const askReset = (app: TestApp, email: string) => request(app.app).post('/auth/password-reset').send({ email })
const confirm = (token: string, pw = newPassword) => request(t.app).post('/auth/password-reset/confirm').send({ token, newPassword: pw })
const login = (email: string, pw: string) => request(t.app).post('/auth/login').send({ email, password: pw })

async function register(email = newEmail()) {
  const res = await request(t.app).post('/auth/register').send({ email, password })
  expect(res.status).toBe(201)
  return { email, userId: res.body.user.id as string, cookie: refreshCookieOf(res) }
}

function refreshCookieOf(res: Response): string {
  const line = [res.headers['set-cookie'] ?? []].flat<string | string[]>().find((c) => c.startsWith(`${refreshCookieName}=`))
  if (!line) throw new Error(`no refresh cookie in ${res.status}`)
  return line.split(';')[0]
}

/** The emails sent to `to`, newest last. */
const mailTo = (to: string, app = t) => app.outbox().filter((mail) => mail.to === to)

/** The link of the newest email to `email`, and the token in its fragment. */
function linkFor(email: string, app = t): { link: URL; token: string } {
  const mails = mailTo(email, app)
  expect(mails.length).toBeGreaterThan(0)
  const link = new URL(/https?:\/\/\S+/.exec(mails.at(-1)!.text)![0])
  return { link, token: new URLSearchParams(link.hash.slice(1)).get('token')! }
}

/** An answer without what differs by request: the request id and the date. */
const comparable = (res: Response) => {
  const { 'x-request-id': _id, date: _date, ...headers } = res.headers
  return { status: res.status, headers, body: res.body as unknown, text: res.text }
}

describe('asking for a reset link', () => {
  it('when the email has an account, then the answer is 202 and the email holds a link to the SPA with the token in its fragment', async () => {
    const { email } = await register()

    const res = await askReset(t, email.toUpperCase())

    expect(res.status).toBe(202)
    expect(res.text).toBe('')
    const mails = mailTo(email)
    expect(mails).toHaveLength(1)
    expect(mails[0].subject).toBe('Reset your Notes password')
    expect(mails[0].text).toMatch(/works once, for 30 minutes/)
    const { link, token } = linkFor(email)
    expect(link.origin + link.pathname).toBe('http://127.0.0.1:3000/reset-password')
    expect(link.search).toBe('') // nothing secret in what a server or a Referer would see
    expect(token).toMatch(/^[\w-]{43}$/)
    expect(new URLSearchParams(link.hash.slice(1)).get('email')).toBe(email)
  })

  it('when the email has no account, then the answer is the same, and no email is sent', async () => {
    const { email } = await register()
    const unknown = newEmail()

    const known = await askReset(t, email)
    const none = await askReset(t, unknown)

    expect(comparable(none)).toEqual(comparable(known))
    expect(mailTo(unknown)).toEqual([])
  })

  it('when the request names another Host, then the link still points at APP_URL', async () => {
    const { email } = await register()

    await askReset(t, email).set('Host', 'evil.example').set('X-Forwarded-Host', 'evil.example')

    expect(linkFor(email).link.origin).toBe('http://127.0.0.1:3000')
  })

  it('when the body is not an email, or has other fields, then it is a 400 and nothing is counted', async () => {
    expect((await request(t.app).post('/auth/password-reset').send({ email: 'not an email' })).status).toBe(400)
    expect((await request(t.app).post('/auth/password-reset').send({ email: newEmail(), admin: true })).status).toBe(400)
  })

  it('stores only the SHA-256 of the token, under a prefix of its own, expiring with DynamoDB TTL in 30 minutes', async () => {
    const { email, userId } = await register()
    await askReset(t, email)
    const { token } = linkFor(email)
    const hash = createHash('sha256').update(token).digest('base64url')

    const { Item } = await t.db.send(
      new GetCommand({ TableName: t.config.tableName, Key: { pk: `PASSWORD_RESET#${hash}`, sk: 'PASSWORD_RESET' } }),
    )
    const { Items } = await t.db.send(new ScanCommand({ TableName: t.config.tableName }))

    expect(Item).toMatchObject({ userId, email })
    expect(Item!.expiresAt - Math.floor(Date.parse(Item!.createdAt) / 1000)).toBe(1800)
    expect(JSON.stringify(Items)).not.toContain(token)
  })

  it('when the mailer fails, then the answer is still 202, and the log has the failure but neither token nor link', async () => {
    const failing: Mailer = { send: () => Promise.reject(new Error('SES said no')) }
    const app = await createTestApp({ deps: { mailer: failing } })
    try {
      const email = newEmail()
      await request(app.app).post('/auth/register').send({ email, password }).expect(201)

      const res = await askReset(app, email)

      expect(res.status).toBe(202)
      const failure = app.logs.find((line) => line.msg === 'password-reset email not sent')
      expect(failure).toMatchObject({ level: 'error', requestId: res.headers['x-request-id'], error: { message: 'SES said no' } })
      expect(JSON.stringify(app.logs)).not.toMatch(/reset-password|token=/)
    } finally {
      await app.close()
    }
  })
})

describe('a production mailer', () => {
  it('when a reset goes through, then no log line holds the token or the link', async () => {
    const sent: MailMessage[] = []
    const app = await createTestApp({ deps: { mailer: { send: (message) => Promise.resolve(void sent.push(message)) } } })
    try {
      const email = newEmail()
      await request(app.app).post('/auth/register').send({ email, password }).expect(201)
      await askReset(app, email).expect(202)
      const link = /https?:\/\/\S+/.exec(sent[0].text)![0]
      const token = new URLSearchParams(new URL(link).hash.slice(1)).get('token')!

      await request(app.app).post('/auth/password-reset/confirm').send({ token, newPassword }).expect(204)

      const log = JSON.stringify(app.logs)
      expect(log).not.toContain(token)
      expect(log).not.toContain('reset-password')
      expect(app.logs.filter((line) => line.msg === 'request').map((line) => line.path)).toEqual(
        expect.arrayContaining(['/auth/password-reset', '/auth/password-reset/confirm']),
      )
    } finally {
      await app.close()
    }
  })
})

describe('answering in the same time', () => {
  it('when an account exists and its email takes a while, or none exists, then both answers wait at least the set time', async () => {
    const answerMs = 300
    const slowMailer: Mailer = { send: () => new Promise((resolve) => setTimeout(resolve, 100)) }
    const app = await createTestApp({ deps: { mailer: slowMailer, passwordResetAnswerMs: answerMs } })
    try {
      const email = newEmail()
      await request(app.app).post('/auth/register').send({ email, password }).expect(201)
      const timed = async (address: string) => {
        const started = performance.now()
        const res = await askReset(app, address)
        return { status: res.status, ms: performance.now() - started }
      }

      const known = await timed(email)
      const unknown = await timed(newEmail())

      // Lower bounds only: the answer is held to a fixed time, whichever work ran.
      expect(known.status).toBe(202)
      expect(unknown.status).toBe(202)
      expect(known.ms).toBeGreaterThanOrEqual(answerMs - 5)
      expect(unknown.ms).toBeGreaterThanOrEqual(answerMs - 5)
    } finally {
      await app.close()
    }
  })
})

describe('throttling reset requests', () => {
  const windowStart = new Date(Date.UTC(2026, 11, 2, 9, 0, 0))

  it('when one email asks a 4th time in 15 minutes, then it is 429 with Retry-After, the same whether or not it has an account', async () => {
    const app = await createTestApp()
    app.clock.set(windowStart)
    try {
      const known = newEmail()
      await request(app.app).post('/auth/register').send({ email: known, password }).expect(201)
      const unknown = newEmail()
      const answers = async (email: string) => {
        const out: unknown[] = []
        for (let i = 0; i < 4; i++) {
          const res = await askReset(app, email)
          out.push({ status: res.status, retryAfter: res.headers['retry-after'], detail: res.body.detail })
        }
        return out
      }

      const forKnown = await answers(known)
      const forUnknown = await answers(unknown)

      expect(forKnown).toEqual(forUnknown)
      expect(forKnown.slice(0, 3)).toEqual(Array(3).fill({ status: 202, retryAfter: undefined, detail: undefined }))
      expect(forKnown[3]).toMatchObject({ status: 429, detail: expect.stringMatching(/try again in 15 minutes$/) })
      expect(mailTo(known, app)).toHaveLength(3)
      app.clock.advance(15 * 60 * 1000)
      expect((await askReset(app, known)).status).toBe(202)
    } finally {
      await app.close()
    }
  })

  it('when one client address asks for 21 different emails in 15 minutes, then the 21st is 429', async () => {
    const app = await createTestApp()
    app.clock.set(windowStart)
    try {
      const statuses: number[] = []
      for (let i = 0; i < 21; i++) statuses.push((await askReset(app, newEmail())).status)

      expect(statuses.slice(0, 20)).toEqual(Array(20).fill(202))
      expect(statuses[20]).toBe(429)
    } finally {
      await app.close()
    }
  })
})

describe('setting a new password with the link', () => {
  it('when the token is good, then the new password signs in, the old one does not, and every sign-in has ended', async () => {
    const { email, cookie } = await register()
    const other = refreshCookieOf(await login(email, password).expect(200))
    await askReset(t, email)

    const res = await confirm(linkFor(email).token)

    expect(res.status).toBe(204)
    expect((await login(email, password)).status).toBe(401)
    expect((await login(email, newPassword)).status).toBe(200)
    for (const ended of [cookie, other]) expect((await request(t.app).post('/auth/refresh').set('Cookie', ended)).status).toBe(401)
  })

  it('when the account was throttled by failed logins, then the reset clears its count and the new password signs in at once', async () => {
    const { email } = await register()
    for (let i = 0; i < 5; i++) expect((await login(email, 'wrong password')).status).toBe(401)
    expect((await login(email, password)).status).toBe(429)
    await askReset(t, email)

    await confirm(linkFor(email).token).expect(204)

    expect((await login(email, newPassword)).status).toBe(200)
  })

  it('when a token is used a second time, expired, unknown or malformed, then each is the same 400 on body.token', async () => {
    const { email } = await register()
    await askReset(t, email)
    const { token: used } = linkFor(email)
    await confirm(used).expect(204)
    const second = await register()
    await askReset(t, second.email)
    const { token: expired } = linkFor(second.email)
    t.clock.advance(30 * 60 * 1000 + 1000)

    const answers = await Promise.all([used, expired, 'A'.repeat(43), 'not a token'].map((token) => confirm(token)))

    for (const res of answers) {
      expect(res.status).toBe(400)
      expect({ ...res.body, requestId: undefined }).toEqual({ ...answers[0].body, requestId: undefined })
    }
    expect(answers[0].body.errors).toEqual([
      { path: 'body.token', message: 'This reset link has expired or was already used; ask for a new one' },
    ])
    expect((await login(second.email, password)).status).toBe(200)
  })

  it('when a token is 29 minutes old, then it still works', async () => {
    const { email } = await register()
    await askReset(t, email)
    t.clock.advance(29 * 60 * 1000)

    expect((await confirm(linkFor(email).token)).status).toBe(204)
  })

  it('when two tabs use one link at once, then exactly one sets the password', async () => {
    const { email } = await register()
    await askReset(t, email)
    const { token } = linkFor(email)

    const statuses = (await Promise.all([confirm(token, 'first new passphrase'), confirm(token, 'second new passphrase')])).map(
      (r) => r.status,
    )

    expect(statuses.sort()).toEqual([204, 400])
  })

  it('when the new password breaks the policy, then it is a 400 on body.newPassword and the link still works', async () => {
    const { email } = await register()
    await askReset(t, email)
    const { token } = linkFor(email)

    const short = await confirm(token, 'too short')
    const common = await confirm(token, 'password1234')

    expect(short.body.errors).toEqual([{ path: 'body.newPassword', message: 'Must be at least 12 characters' }])
    expect(common.body.errors[0]).toMatchObject({ path: 'body.newPassword', message: expect.stringMatching(/most commonly used/) })
    expect((await confirm(token)).status).toBe(204)
  })

  it('when the password was changed after the link was sent, then the link no longer works', async () => {
    const { email } = await register()
    await askReset(t, email)
    const { token } = linkFor(email)
    const auth = { Authorization: `Bearer ${(await login(email, password)).body.token}` }
    await request(t.app)
      .post('/auth/password')
      .set(auth)
      .send({ currentPassword: password, newPassword: 'changed by the owner' })
      .expect(204)

    expect((await confirm(token)).status).toBe(400)
    expect((await login(email, 'changed by the owner')).status).toBe(200)
  })

  it('when an older link and a newer one were sent, then using one ends the other', async () => {
    const { email } = await register()
    await askReset(t, email)
    const older = linkFor(email).token
    await askReset(t, email)
    const newer = linkFor(email).token

    await confirm(newer).expect(204)

    expect((await confirm(older, 'yet another passphrase')).status).toBe(400)
  })

  it('when the account was imported with a bcrypt hash, then the reset gives it this app’s scrypt hash on its ACCOUNT# item', async () => {
    const email = newEmail()
    const id = `imported-${emails}`
    const accounts = createAccountsRepository({ db: t.db, tableName: t.config.tableName })
    await accounts.import({ id, login: email, email, passwordHash: hashSync('old short pw', 4), createdAt: new Date().toISOString() })
    await askReset(t, email)

    await confirm(linkFor(email).token).expect(204)

    const { Items } = await t.db.send(
      new QueryCommand({
        TableName: t.config.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${email}` },
      }),
    )
    expect(Items).toHaveLength(1)
    expect(Items![0]).toMatchObject({ id, passwordHash: expect.stringMatching(/^scrypt\$/) })
    expect((await login(email, newPassword)).body.user).toEqual({ id, email })
  })
})

describe('the OpenAPI document', () => {
  it('lists both routes with their bodies and answers', async () => {
    const { paths } = (await request(t.app).get('/openapi.json')).body

    expect(Object.keys(paths['/auth/password-reset'].post.responses)).toEqual(expect.arrayContaining(['202', '400', '429']))
    expect(Object.keys(paths['/auth/password-reset/confirm'].post.responses)).toEqual(expect.arrayContaining(['204', '400']))
  })
})
