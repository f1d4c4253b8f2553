import request from 'supertest'
import type { Page } from 'playwright-core'
import { accessibilityProblems } from './support/axe'
import { describeInBrowser, screenshot, viewports } from './support/browser'
import type { SpaServer } from './support/server'
import { useBrowserSuite, type BrowserSuite } from './support/suite'
import { alertText, eventually, fitsWidth, focused, password, registerThroughUi, uniqueEmail } from './support/ui'

jest.setTimeout(120_000)

/**
 * A person who forgot their password, or is throttled out, gets back in through the emailed link:
 * "Forgot your password?" on the sign-in screen and in its 429 message, the page that asks for the
 * link, the page the link opens, then the sign-in screen with the new password. The email is read
 * from the app's local outbox, as a developer reads `.data/outbox/` in `npm run dev`.
 */
describeInBrowser('SPA: a forgotten password', () => {
  let server: SpaServer
  let open: BrowserSuite['open']
  useBrowserSuite({}, (suite) => ({ server, open } = suite))
  const newPassword = 'a brand new passphrase'

  /** A registered person, signed out, on the sign-in screen. */
  async function signedOutPerson(page: Page): Promise<string> {
    const email = uniqueEmail('forgot')
    await registerThroughUi(page, server.url, email)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByText('You are signed out.').waitFor()
    return email
  }

  /** The link of the newest email to `email` in the app's outbox. */
  async function emailedLink(email: string): Promise<string> {
    await eventually(() => Promise.resolve(server.testApp.outbox().some((mail) => mail.to === email)), true)
    const mail = server.testApp
      .outbox()
      .filter((entry) => entry.to === email)
      .at(-1)!
    return /https?:\/\/\S+/.exec(mail.text)![0]
  }

  async function askForLink(page: Page, email: string): Promise<void> {
    await page.getByRole('heading', { name: 'Reset your password', level: 1 }).waitFor()
    await page.getByLabel('Email').fill(email)
    await page.getByRole('button', { name: 'Email me a link' }).click()
    await page.getByText(`If an account uses ${email}`).waitFor()
  }

  async function setNewPassword(page: Page, link: string): Promise<void> {
    await page.goto(link)
    await page.getByRole('heading', { name: 'Set a new password', level: 1 }).waitFor()
    await page.getByLabel('New password', { exact: true }).fill(newPassword)
    await page.getByLabel('New password again').fill(newPassword)
    await page.getByRole('button', { name: 'Set new password' }).click()
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
  }

  test('When a person forgot their password, the emailed link sets a new one and they sign in with it, every page clean for axe', async () => {
    const page = await open()
    const email = await signedOutPerson(page)
    expect(await accessibilityProblems(page)).toEqual([])

    await page.getByLabel('Email').fill(email)
    await page.getByRole('link', { name: 'Forgot your password?' }).click()
    await page.getByRole('heading', { name: 'Reset your password', level: 1 }).waitFor()
    // What was typed on the sign-in screen comes along.
    expect(await page.getByLabel('Email').inputValue()).toBe(email)
    expect(await accessibilityProblems(page)).toEqual([])
    await page.getByRole('button', { name: 'Email me a link' }).click()
    await page.getByText(`If an account uses ${email}`).waitFor()
    expect(await focused(page)).toMatch(/^p:If an account uses/)
    expect(await accessibilityProblems(page)).toEqual([])
    await screenshot(page, 'forgot-password-sent-desktop')

    const link = await emailedLink(email)
    expect(link).toMatch(new RegExp(`^${server.url}/reset-password#token=[\\w-]{43}&`))
    await page.goto(link)
    await page.getByRole('heading', { name: 'Set a new password', level: 1 }).waitFor()
    // The token leaves the address bar (and the history) as soon as the page has read it.
    expect(new URL(page.url()).hash).toBe('')
    await page.getByText(`For ${email}.`).waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    await screenshot(page, 'reset-password-desktop')
    await page.getByLabel('New password', { exact: true }).fill(newPassword)
    await page.getByLabel('New password again').fill(newPassword)
    await page.getByRole('button', { name: 'Set new password' }).click()

    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
    await page.getByText('Your new password is set').waitFor()
    expect(await page.getByLabel('Email').inputValue()).toBe(email)
    expect(await focused(page)).toBe('input:Password')
    expect(await accessibilityProblems(page)).toEqual([])
    await page.getByLabel('Password').fill(newPassword)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Notes', level: 1 }).waitFor()
  })

  test('When a person is throttled out, the 429 message offers the reset, and the new password signs in at once', async () => {
    const page = await open()
    const email = await signedOutPerson(page)
    await page.getByLabel('Email').fill(email)
    for (let i = 0; i < 6; i++) {
      await page.getByLabel('Password').fill(`wrong password ${i}`)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('button', { name: 'Sign in' }).waitFor()
      await page.getByRole('alert').waitFor()
    }

    const alert = page.getByRole('alert')
    await alert.getByText('Too many failed sign-ins').waitFor()
    expect(await alertText(page)).toMatch(/try again in \d+ minutes?\./)
    expect(await alertText(page)).not.toContain('minute(s)')
    expect(await accessibilityProblems(page)).toEqual([])
    await screenshot(page, 'sign-in-throttled-desktop')
    await alert.getByRole('link', { name: 'Forgot your password?' }).click()
    await askForLink(page, email)
    await setNewPassword(page, await emailedLink(email))

    await page.getByLabel('Password').fill(newPassword)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Notes', level: 1 }).waitFor()
  })

  test('When a link was already used, the page says so, with focus on the message and a way to ask for a new one', async () => {
    const page = await open()
    const email = await signedOutPerson(page)
    await page.getByRole('link', { name: 'Forgot your password?' }).click()
    await askForLink(page, email)
    const link = await emailedLink(email)
    await setNewPassword(page, link)

    await page.goto(link)
    await page.getByLabel('New password', { exact: true }).fill('yet another passphrase')
    await page.getByLabel('New password again').fill('yet another passphrase')
    await page.getByRole('button', { name: 'Set new password' }).click()

    expect(await alertText(page)).toContain('This reset link has expired or was already used; ask for a new one.')
    expect(await focused(page)).toMatch(/^div:This reset link has expired/)
    expect(await accessibilityProblems(page)).toEqual([])
    await page.getByRole('alert').getByRole('link', { name: 'Ask for a new link' }).click()
    await page.getByRole('heading', { name: 'Reset your password', level: 1 }).waitFor()
  })

  test('When the page is opened without a token, it says the link is incomplete and offers a new one', async () => {
    const page = await open()
    await page.goto(`${server.url}/reset-password`)

    expect(await alertText(page)).toContain('This link is incomplete')
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor()
    expect(await page.getByRole('button', { name: 'Set new password' }).count()).toBe(0)
  })

  test('When a person signed in on this browser resets the password, every sign-in ends, this one too', async () => {
    const page = await open()
    const email = uniqueEmail('signed-in-reset')
    await registerThroughUi(page, server.url, email)
    await request(server.testApp.app).post('/auth/password-reset').send({ email }).expect(202)

    await setNewPassword(page, await emailedLink(email))

    await page.getByText('Your new password is set').waitFor()
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0)
    const old = await request(server.testApp.app).post('/auth/login').send({ email, password })
    expect(old.status).toBe(401)
  })

  test('When the reset is done on a phone, from the keyboard, each page fits the screen and Enter sends each form', async () => {
    const page = await open({ viewport: viewports.phone, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
    const email = await signedOutPerson(page)
    await page.getByRole('link', { name: 'Forgot your password?' }).focus()
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Reset your password', level: 1 }).waitFor()
    expect(await fitsWidth(page)).toBe(true)
    await page.getByLabel('Email').focus()
    await page.keyboard.type(email)
    await page.keyboard.press('Enter')
    await page.getByText(`If an account uses ${email}`).waitFor()
    expect(await fitsWidth(page)).toBe(true)
    await screenshot(page, 'forgot-password-sent-phone')

    await page.goto(await emailedLink(email))
    await page.getByLabel('New password', { exact: true }).focus()
    await page.keyboard.type(newPassword)
    await page.keyboard.press('Tab')
    await page.keyboard.type(newPassword)
    await page.keyboard.press('Enter')

    await page.getByText('Your new password is set').waitFor()
    expect(await fitsWidth(page)).toBe(true)
    await screenshot(page, 'reset-password-done-phone')
  })
})
