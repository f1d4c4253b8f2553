import type { Page } from 'playwright-core'
import request from 'supertest'
import { describeInBrowser, screenshot, viewports } from './support/browser'
import type { SpaServer } from './support/server'
import { useBrowserSuite, type BrowserSuite } from './support/suite'
import {
  alertText,
  apiAuth,
  createNoteThroughUi,
  eventually,
  fillNote,
  fitsWidth,
  listedTitles,
  password,
  registerThroughUi,
  signInThroughUi,
  uniqueEmail,
} from './support/ui'

jest.setTimeout(120_000)

/** Counts the page's calls to POST /auth/refresh, and every time it shows the sign-in screen. */
function watchSignIn(page: Page): { refreshes: number; signInShown: string[] } {
  const seen = { refreshes: 0, signInShown: [] as string[] }
  page.on('request', (req) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname === '/auth/refresh') seen.refreshes++
  })
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame() && new URL(frame.url()).pathname === '/sign-in') seen.signInShown.push(frame.url())
  })
  return seen
}

/** What the page keeps in storage a script could read later: nothing but drafts, never a token. */
function storedKeys(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('[...Object.keys(localStorage), ...Object.keys(sessionStorage)]')
}

describeInBrowser('SPA: a sign-in that lasts, with 20 s access tokens', () => {
  let server: SpaServer
  let open: BrowserSuite['open']
  let tab: BrowserSuite['tab']
  // Tokens lapse on the wall clock here, while the browser waits, as they do for a person.
  useBrowserSuite({ env: { JWT_TTL_SECONDS: '20' }, realClock: true }, (suite) => ({ server, open, tab } = suite))

  test('When a person edits a note for a minute, with a second tab open, the save just works and neither tab asks to sign in', async () => {
    const page = await open()
    const email = uniqueEmail('minute')
    await registerThroughUi(page, server.url, email)
    await createNoteThroughUi(page, { title: 'Diary', body: 'Monday.' })
    const other = await tab(page)
    await other.goto(`${server.url}/`)
    await eventually(() => listedTitles(other), ['Diary'])
    const here = watchSignIn(page)
    const there = watchSignIn(other)
    await page.getByRole('link', { name: 'Diary' }).click()
    await page.getByRole('heading', { name: 'Edit note' }).waitFor()

    // Three tokens' lifetimes of typing, a few words every five seconds.
    const body = page.getByLabel('Text', { exact: true })
    await body.press('End')
    const words: string[] = []
    for (let i = 1; i <= 12; i++) {
      words.push(`word${i}`)
      await body.pressSequentially(` word${i}`)
      await page.waitForTimeout(5000)
    }
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await eventually(() => listedTitles(page), ['Diary'])
    await other.getByRole('link', { name: 'Trash' }).click()
    await other.getByText('The trash is empty.').waitFor()

    expect(here.signInShown).toEqual([])
    expect(there.signInShown).toEqual([])
    // Renewed on the way, and by one tab at a time: a spent cookie presented twice would have ended the sign-in.
    expect(here.refreshes + there.refreshes).toBeGreaterThanOrEqual(2)
    const note = (
      await request(server.testApp.app)
        .get('/api/notes')
        .set(await apiAuth(server.testApp.app, email))
    ).body.items[0]
    expect(note.body).toBe(`Monday. ${words.join(' ')}`)
  }, 150_000)

  test('When the page is reloaded, or opened in a second tab, or both reload at once, the person stays signed in; the token is in no storage', async () => {
    const page = await open()
    const email = uniqueEmail('reload')
    await registerThroughUi(page, server.url, email)
    await createNoteThroughUi(page, { title: 'Still here' })

    await page.reload()
    await eventually(() => listedTitles(page), ['Still here'])
    const second = await tab(page)
    await second.goto(`${server.url}/trash`)
    await second.getByText('The trash is empty.').waitFor()
    // Both tabs renew at the same moment; the lock makes them take turns with the one-time cookie.
    await Promise.all([page.reload(), second.reload()])
    await eventually(() => listedTitles(page), ['Still here'])
    await second.getByText('The trash is empty.').waitFor()
    await page.reload()
    await eventually(() => listedTitles(page), ['Still here'])

    expect(await page.getByText(email).count()).toBe(1)
    expect(await storedKeys(page)).toEqual([])
    const stranger = await open()
    await stranger.goto(`${server.url}/`)
    await stranger.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
  })

  test('When the person signs out in one tab, the other tab signs out by itself, and stays out after a reload', async () => {
    const page = await open()
    await registerThroughUi(page, server.url, uniqueEmail('two-tabs'))
    const second = await tab(page)
    await second.goto(`${server.url}/trash`)
    await second.getByRole('heading', { name: 'Trash' }).waitFor()

    await page.getByRole('button', { name: 'Sign out' }).click()

    await second.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
    await second.getByText('You are signed out.').waitFor()
    await second.reload()
    await second.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
    expect(await second.getByRole('button', { name: 'Sign out' }).count()).toBe(0)
  })

  test('When another device signs this one out while a new note is being typed, the text is offered back after signing in, and saves', async () => {
    const page = await open()
    const email = uniqueEmail('draft')
    await registerThroughUi(page, server.url, email)
    const elsewhere = await open()
    await elsewhere.goto(`${server.url}/sign-in`)
    await signInThroughUi(elsewhere, email)
    await page.getByRole('link', { name: 'New note' }).click()
    await fillNote(page, { title: 'Unsent letter', body: 'Dear Ann,', tags: 'letters' })

    await elsewhere.getByRole('link', { name: 'Devices' }).click()
    await elsewhere.getByRole('button', { name: 'Sign out all other devices' }).click()
    await elsewhere.getByText('Every other device is signed out.').waitFor()
    await fillNote(page, { body: 'Dear Ann, the garden is in bloom.' })
    // The revoked sign-in cannot renew: within one token's lifetime the page sends the person to sign in.
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor({ timeout: 40_000 })
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/notes/new')
    await page.getByText('anything you were typing is kept').waitFor()
    await signInThroughUi(page, email)

    await page.getByRole('heading', { name: 'New note' }).waitFor()
    expect(await alertText(page)).toContain('You have unsaved changes to a new note')
    await screenshot(page, 'draft-offered-desktop')
    await page.getByRole('button', { name: 'Restore my changes' }).click()
    expect(await page.getByLabel('Text', { exact: true }).inputValue()).toBe('Dear Ann, the garden is in bloom.')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await eventually(() => listedTitles(page), ['Unsent letter'])
    expect(await page.locator('.tag').allInnerTexts()).toEqual(['letters'])
    expect(await storedKeys(page)).toEqual([])
  })

  test('When the devices page signs out another browser, that browser must sign in again, and this one carries on', async () => {
    const page = await open()
    const email = uniqueEmail('devices')
    await registerThroughUi(page, server.url, email)
    const other = await open()
    await other.goto(`${server.url}/sign-in`)
    await signInThroughUi(other, email)
    await page.getByRole('link', { name: 'Devices' }).click()
    const rows = page.locator('.devices > li')
    await eventually(() => rows.count(), 2)
    expect(await rows.filter({ hasText: 'This device' }).count()).toBe(1)
    await screenshot(page, 'devices-desktop')

    await rows
      .filter({ hasNotText: 'This device' })
      .getByRole('button', { name: /^Sign out/ })
      .click()

    await page.getByText(/^Signed out .+\.$/).waitFor()
    await eventually(() => rows.count(), 1)
    await other.reload()
    await other.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
    await page.getByRole('link', { name: 'All notes' }).click()
    await page.getByText('No notes yet.').waitFor()
  })

  test('When changing the password, mistakes show at their fields, and success signs out every other device but not this one', async () => {
    const page = await open()
    const email = uniqueEmail('password')
    await registerThroughUi(page, server.url, email)
    const other = await open()
    await other.goto(`${server.url}/sign-in`)
    await signInThroughUi(other, email)
    await page.getByRole('link', { name: 'Password' }).click()
    await page.getByRole('heading', { name: 'Change password' }).waitFor()
    const submit = page.getByRole('button', { name: 'Change password' })

    await page.getByText('12 to 128 characters').waitFor()
    await page.getByLabel('Current password').fill('not my password')
    await page.getByLabel('New password', { exact: true }).fill('too short')
    await submit.click()
    await page.getByText('Use at least 12 characters (this one has 9).').waitFor()
    await page.getByLabel('New password', { exact: true }).fill('a much longer passphrase')
    await page.getByLabel('New password again').fill('a much longer passphrase')
    await submit.click()
    await eventually(() => page.getByLabel('Current password').getAttribute('aria-invalid'), 'true')
    await screenshot(page, 'password-wrong-desktop')

    await page.getByLabel('Current password').fill(password)
    await page.getByLabel('New password', { exact: true }).fill('a much longer passphrase')
    await page.getByLabel('New password again').fill('a much longer passphrase')
    await submit.click()

    await page.getByText('Your password is changed.').waitFor()
    await other.reload()
    await other.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Change password' }).waitFor()
    const login = await request(server.testApp.app).post('/auth/login').send({ email, password: 'a much longer passphrase' })
    expect(login.status).toBe(200)
  })

  test('On a 390 px phone, the devices and password pages fit the screen', async () => {
    const page = await open({ viewport: viewports.phone, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
    await registerThroughUi(page, server.url, uniqueEmail('phone-pages'))

    await page.getByRole('link', { name: 'Devices' }).click()
    await page.locator('.tag', { hasText: 'This device' }).waitFor()
    expect(await fitsWidth(page)).toBe(true)
    await screenshot(page, 'devices-phone')
    await page.getByRole('link', { name: 'Password' }).click()
    await page.getByRole('heading', { name: 'Change password' }).waitFor()
    expect(await fitsWidth(page)).toBe(true)
    await screenshot(page, 'password-phone')
  })
})
