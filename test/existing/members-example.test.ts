import { readFileSync } from 'node:fs'
import path from 'node:path'
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../app/db/embedded'
import { mount } from '../../app/existing'
import { createAccountsRepository } from '../../app/auth/accounts'
import { lambdaRequestId } from '../../app/lambda/handler'
import membersApp from '../../examples/members/app'
import { importUsers, parseUserTable } from '../../scripts/import-users'
import { createTestApp, type TestApp } from '../helpers/app'
import { members, membersUserTable } from './members-walk'
import { viaDevServer, viaLambda, type Answer, type Sent, type Transport } from './transports'

/**
 * The members' site (examples/members/app.js) mounted at `/`, through the dev server and through
 * API Gateway's events: its pages render from its views, its assets are served, its login form signs
 * in with cookies that the next request carries, and its upload comes back byte for byte.
 */
let dynamo: EmbeddedDynamo
beforeAll(async () => void (dynamo = await startEmbeddedDynamo()))
afterAll(() => dynamo.close())

const logo = readFileSync(path.resolve(__dirname, '../../examples/members/public/logo.png'))
const navigate = { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Site': 'same-origin', Accept: 'text/html' }

const ways: [string, (t: TestApp) => Promise<Transport> | Transport, boolean][] = [
  ['the dev server', (t) => viaDevServer(t.app), false],
  ['an HTTP API (v2) event', (t) => viaLambda(t.app, 'HTTP API (v2)'), true],
  ['a REST API (v1) event', (t) => viaLambda(t.app, 'REST API (v1)'), true],
]

describe.each(ways)('The members’ site mounted at /, through %s', (_name, connect, onLambda) => {
  let t: TestApp
  let via: Transport
  const jar = new Map<string, string>()
  /** Sends with the cookies so far, and keeps the ones the answer sets, as a browser would. */
  const browse = async (req: Sent): Promise<Answer> => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
    const res = await via.send({ ...req, headers: { ...navigate, ...(cookie ? { Cookie: cookie } : {}), ...req.headers } })
    for (const pair of res.cookies) {
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]
      if (value) jar.set(name, value)
      else jar.delete(name)
    }
    return res
  }

  beforeAll(async () => {
    t = await createTestApp({
      dynamo,
      deps: {
        mounts: ({ db, tableName }) => [mount('/', membersApp({ db, tableName }), { auth: 'optional', signInPage: '/login' })],
        ...(onLambda ? { requestIdOf: lambdaRequestId } : {}),
      },
    })
    await importUsers(
      parseUserTable(readFileSync(membersUserTable, 'utf8'), 'json'),
      createAccountsRepository({ db: t.db, tableName: t.config.tableName }),
      new Date(),
    )
    via = await connect(t)
  })
  afterAll(async () => {
    await via.close()
    await t.close()
  })

  it('serves its stylesheet and image, and renders its login page from its views', async () => {
    const css = await via.send({ method: 'GET', path: '/style.css' })
    const image = await via.send({ method: 'GET', path: '/logo.png' })
    const renew = await via.send({ method: 'GET', path: '/login', headers: { ...navigate, Cookie: 'notes_signed_in=1' } })
    const login = await via.send({ method: 'GET', path: '/login', headers: navigate })

    expect(css.headers['content-type']).toMatch(/^text\/css/)
    expect(css.text).toContain('background: #f4f1ea')
    expect(image.headers['content-type']).toBe('image/png')
    expect(image.bytes.equals(logo)).toBe(true)
    expect(renew.status).toBe(303)
    expect(renew.headers.location).toBe(`${via.prefix}/auth/page?return=%2Flogin`)
    expect(login.status).toBe(200)
    expect(login.text).toContain('<form action="/login" method="post">')
  })

  it('signs in with its form, greets with a flash, saves an edit and an upload, and signs out', async () => {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' }
    const signIn = await browse({
      method: 'POST',
      path: '/login',
      headers: form,
      body: `username=ada&password=${encodeURIComponent(members.ada.password)}`,
    })
    const signedInWith = [...jar.keys()]
    const account = await browse({ method: 'GET', path: '/account' })
    const edit = await browse({ method: 'POST', path: '/account?_method=PUT', headers: form, body: 'name=Ada+King&bio=Poetical+science' })
    const edited = await browse({ method: 'GET', path: '/account' })
    const boundary = 'members-boundary'
    const upload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="me.png"\r\nContent-Type: image/png\r\n\r\n`),
      logo,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    const uploaded = await browse({
      method: 'POST',
      path: '/account/avatar',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      bytes: upload,
    })
    const picture = await browse({ method: 'GET', path: '/account/avatar' })
    const signOut = await browse({ method: 'POST', path: '/logout' })
    const after = await browse({ method: 'GET', path: '/account' })

    expect(signIn.status).toBe(302)
    expect(signIn.headers.location).toBe(`${via.prefix}/account`)
    expect(signedInWith).toEqual(expect.arrayContaining(['notes_refresh', 'page-token', 'session']))
    expect(account.text).toContain('Welcome back, Ada Lovelace')
    expect(edit.headers.location).toBe(`${via.prefix}/account`)
    expect(edited.text).toContain('Profile saved')
    expect(edited.text).toContain('Poetical science')
    expect(uploaded.headers.location).toBe(`${via.prefix}/account`)
    expect(picture.headers['content-type']).toBe('image/png')
    expect(picture.bytes.equals(logo)).toBe(true)
    expect(signOut.headers.location).toBe(`${via.prefix}/login`)
    expect(jar.has('page-token')).toBe(false)
    expect(after.status).toBe(302)
    expect(after.headers.location).toBe(`${via.prefix}/login`)
  })
})
