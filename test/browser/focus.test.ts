import { accessibilityProblems } from './support/axe'
import { describeInBrowser } from './support/browser'
import type { SpaServer } from './support/server'
import { useBrowserSuite, type BrowserSuite } from './support/suite'
import { alertText, eventually, fillNote, focused, password, registerThroughUi, uniqueEmail } from './support/ui'

jest.setTimeout(120_000)

/**
 * After each action, keyboard focus is somewhere a person can go on from, never dropped to the page
 * body: measured as the document's active element once the answer is on screen.
 */
describeInBrowser('SPA: where keyboard focus goes', () => {
  let server: SpaServer
  let open: BrowserSuite['open']
  let person: BrowserSuite['person']
  useBrowserSuite({}, (suite) => ({ server, open, person } = suite))

  test('When a sign-in submitted with Enter fails, focus is on the message that says why', async () => {
    const page = await open()
    const email = uniqueEmail('focus')
    await registerThroughUi(page, server.url, email)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill('wrong password')
    await page.getByLabel('Password').press('Enter')

    expect(await alertText(page)).toContain('Email or password is incorrect.')
    await eventually(() => focused(page), 'div:Email or password is incorrect.')
  })

  test('When registering an email that exists, focus is on the Email field, which says so', async () => {
    const page = await open()
    const email = uniqueEmail('taken')
    await registerThroughUi(page, server.url, email)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('link', { name: 'Register' }).click()
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Register' }).click()

    await page.getByText('This email is already registered.').waitFor()
    await eventually(() => focused(page), 'input:Email')
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true')
    expect(await accessibilityProblems(page)).toEqual([])
  })

  test('When the password is changed, focus is on the message that says it is done', async () => {
    const { page } = await person()
    await page.getByRole('link', { name: 'Password' }).click()
    await page.getByLabel('Current password').fill(password)
    await page.getByLabel('New password', { exact: true }).fill('a changed passphrase')
    await page.getByLabel('New password again').fill('a changed passphrase')
    await page.getByRole('button', { name: 'Change password' }).click()

    await page.getByText('Your password is changed.').waitFor()
    await eventually(async () => (await focused(page)).startsWith('p:Your password is changed.'), true)
    expect(await accessibilityProblems(page)).toEqual([])
  })

  test('When unsaved changes are restored, focus is on the first field, ready to go on typing', async () => {
    const { page } = await person({ notes: ['Half done'] })
    await page.getByRole('link', { name: 'Half done' }).click()
    await fillNote(page, { body: 'More than before' })
    await page.getByRole('link', { name: 'Cancel' }).click()
    await page.getByRole('region', { name: 'Unsaved changes' }).getByRole('link', { name: 'Half done' }).click()
    await page.getByRole('button', { name: 'Restore my changes' }).click()

    expect(await page.getByLabel('Text', { exact: true }).inputValue()).toBe('More than before')
    await eventually(() => focused(page), 'input:Title')
  })
})
