import { readFileSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { createAccountsRepository } from '../../app/auth/accounts'
import { importUsers, parseUserTable } from '../../scripts/import-users'
import { startOffline, type OfflineStack } from '../../scripts/offline/run'
import { describeInBrowser, launchBrowser, openPage, screenshot, watchForPageErrors } from '../browser/support/browser'
import { members, membersUserTable, walkMembersSite } from '../existing/members-walk'
import { buildWithMounts, root } from './shipped-bundle'
import path from 'node:path'
import { spawnSync } from 'node:child_process'

/**
 * The worked example on the Lambda artifact itself: dist/lambda.js built with the members' site
 * (examples/members) mounted at `/`, packaged by `serverless package`, its zip unpacked into an empty
 * folder and served by `npm run offline` (serverless-offline's emulated HTTP API); Chromium walks it
 * as on the dev server (test/existing/members-browser.test.ts).
 */
jest.setTimeout(300_000)

const withMembers = `
import membersApp from '../../examples/members/app'
import { mount, type MountList } from './mount'

export const mounts: MountList = ({ db, tableName }) => [mount('/', membersApp({ db, tableName }), { auth: 'optional', signInPage: '/login' })]
`

describeInBrowser('The members’ site from the packaged function, behind npm run offline', () => {
  let stack: OfflineStack
  let browser: Browser

  beforeAll(async () => {
    // Every function, as `serverless package` packages them all: a fresh checkout has no dist/ yet.
    const built = buildWithMounts(path.join(root, 'dist'), withMembers, { every: true })
    if (!built.ok) throw new Error(`build failed: ${built.stderr}`)
    stack = await startOffline({
      build: false,
      log: () => undefined,
      prepare: async (db, tableName) => {
        const users = parseUserTable(readFileSync(membersUserTable, 'utf8'), 'json')
        await importUsers(users, createAccountsRepository({ db, tableName }), new Date())
      },
    })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await stack?.stop()
    // dist/ as the checkout builds it, without the example.
    spawnSync(process.execPath, [path.join(root, 'scripts/build-lambda.mjs'), '--quiet'], { cwd: root })
  })

  test('Ada signs in with the site’s form, sees the flash, edits, uploads and sees the picture, signs out', async () => {
    const page = await openPage(browser)
    const problems = watchForPageErrors(page)

    await walkMembersSite(page, stack.url, members.ada)

    await screenshot(page, 'members-offline-signed-out')
    expect(problems).toEqual([])
    await page.context().close()
  })
})
