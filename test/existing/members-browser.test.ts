import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { mount } from '../../app/existing'
import { createAccountsRepository } from '../../app/auth/accounts'
import membersApp from '../../examples/members/app'
import { importUsers, parseUserTable } from '../../scripts/import-users'
import { describeInBrowser, launchBrowser, openPage, screenshot, watchForPageErrors } from '../browser/support/browser'
import { createTestApp, type TestApp } from '../helpers/app'
import { members, membersUserTable, walkMembersSite } from './members-walk'

/**
 * The worked example in Chromium on the dev server: the members' site of examples/members/app.js
 * mounted at `/` with `{ auth: 'optional', signInPage: '/login' }`, its users imported from its own
 * table, walked by a person from the login form to signing out.
 */
jest.setTimeout(120_000)

describeInBrowser('The members’ site mounted at / of the dev server', () => {
  let t: TestApp
  let server: Server
  let browser: Browser
  let baseUrl: string

  beforeAll(async () => {
    t = await createTestApp({
      deps: { mounts: ({ db, tableName }) => [mount('/', membersApp({ db, tableName }), { auth: 'optional', signInPage: '/login' })] },
    })
    const users = parseUserTable(readFileSync(membersUserTable, 'utf8'), 'json')
    await importUsers(users, createAccountsRepository({ db: t.db, tableName: t.config.tableName }), new Date())
    server = await new Promise<Server>((resolve) => {
      const listening = t.app.listen(0, '127.0.0.1', () => resolve(listening))
    })
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    server?.closeAllConnections()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    await t?.close()
  })

  test.each([
    ['Ada, whose imported hash is bcrypt', members.ada],
    ['Charles, whose imported hash is PBKDF2', members.charles],
  ])('%s signs in with the site’s form, sees the flash, edits, uploads and sees the picture, signs out', async (_who, who) => {
    const page = await openPage(browser)
    const problems = watchForPageErrors(page)

    await walkMembersSite(page, baseUrl, who)

    await screenshot(page, `members-${who.username}-signed-out`)
    expect(problems).toEqual([])
    await page.context().close()
  })
})
