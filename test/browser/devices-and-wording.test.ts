import { randomUUID } from 'node:crypto'
import request from 'supertest'
import { accessibilityProblems } from './support/axe'
import { describeInBrowser, screenshot } from './support/browser'
import type { SpaServer } from './support/server'
import { useBrowserSuite, type BrowserSuite } from './support/suite'
import { password, uniqueEmail } from './support/ui'

jest.setTimeout(120_000)

const chromeOnLinux = (version: number) =>
  `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version}.0.0.0 Safari/537.36`

/** The devices page and the words the SPA uses: titles, headings, plurals and full stops. */
describeInBrowser('SPA: devices and wording', () => {
  let server: SpaServer
  let open: BrowserSuite['open']
  let person: BrowserSuite['person']
  useBrowserSuite({}, (suite) => ({ server, open, person } = suite))

  test('When several devices are signed in, this one comes first, every row has a name of its own, and a script is named as such', async () => {
    const { page, email } = await person()
    // Two sign-ins from the same browser on the same system: only their times would tell them apart.
    for (const agent of [chromeOnLinux(131), chromeOnLinux(131), 'curl/8.5.0'])
      await request(server.testApp.app).post('/auth/login').set('User-Agent', agent).send({ email, password }).expect(200)
    await page.getByRole('link', { name: 'Devices' }).click()
    await page.getByRole('button', { name: 'Sign out all other devices' }).waitFor()

    const names = await page.locator('.devices .device-name').allInnerTexts()
    const rows = await page.locator('.devices > li').allInnerTexts()
    // This browser, the sign-in through the API that every test person gets, and the three above.
    expect(rows).toHaveLength(5)
    expect(rows[0]).toContain('This device')
    expect(new Set(names).size).toBe(5)
    expect(names.some((name) => /^curl\b/.test(name))).toBe(true)
    expect(names).toEqual(expect.arrayContaining(['Chrome 131 on Linux (1)', 'Chrome 131 on Linux (2)']))
    expect(names.join(' ')).not.toContain('A browser')
    expect(await accessibilityProblems(page)).toEqual([])
    await screenshot(page, 'devices-several-desktop')
  })

  test('When going from page to page, tab titles name the page once, and a missing note is headed as missing', async () => {
    const { page } = await person()

    expect(await page.title()).toBe('Notes')
    await page.getByRole('link', { name: 'Trash' }).click()
    await page.getByRole('heading', { name: 'Trash', level: 1 }).waitFor()
    expect(await page.title()).toBe('Trash · Notes')
    await page.goto(`${server.url}/notes/${randomUUID()}`)
    await page.getByRole('heading', { name: 'Note not found', level: 1 }).waitFor()
    expect(await page.title()).toBe('Note not found · Notes')
    expect(await page.getByRole('heading', { name: 'Edit note' }).count()).toBe(0)
  })

  test('When a signed-out person meets a page that does not exist, it offers to sign in, not their notes', async () => {
    const page = await open()
    await page.goto(`${server.url}/no/such/page`)
    await page.getByRole('heading', { name: 'Page not found', level: 1 }).waitFor()

    await page.getByRole('link', { name: 'Sign in' }).waitFor()
    expect(await page.getByRole('link', { name: 'Go to your notes' }).count()).toBe(0)
    expect(await accessibilityProblems(page)).toEqual([])
  })

  test('When the API refuses a field, its message ends with a full stop, as the SPA’s own do', async () => {
    const page = await open()
    await page.goto(`${server.url}/register`)
    await page.getByLabel('Email').fill(uniqueEmail('common'))
    await page.getByLabel('Password').fill('password1234')
    await page.getByRole('button', { name: 'Register' }).click()

    await page.getByText('This is one of the most commonly used passwords; choose another.').waitFor()
  })
})
