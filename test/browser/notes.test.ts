import { describeInBrowser, screenshot } from './support/browser'
import type { SpaServer } from './support/server'
import { useBrowserSuite, type BrowserSuite } from './support/suite'
import { alertText, createNoteThroughUi, eventually, fillNote, listedTitles, password, signInThroughUi, uniqueEmail } from './support/ui'

jest.setTimeout(120_000)

describeInBrowser('SPA: a person keeps notes', () => {
  let server: SpaServer
  let open: BrowserSuite['open']
  let person: BrowserSuite['person']
  useBrowserSuite({}, (suite) => ({ server, open, person } = suite))

  test('When signed out, the app opens on the sign-in screen, served under a CSP of script-src self', async () => {
    const page = await open()
    const response = await page.goto(`${server.url}/`)

    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/sign-in')
    await screenshot(page, 'sign-in-desktop')
  })

  test('When registering with a short password, then a bad email, each field says what is wrong, the policy shown beside', async () => {
    const page = await open()
    await page.goto(`${server.url}/sign-in`)
    await page.getByRole('link', { name: 'Register' }).click()
    await page.getByRole('heading', { name: 'Create an account' }).waitFor()
    await page.getByText('12 to 128 characters').waitFor()
    await page.getByLabel('Email').fill('not-an-email')
    await page.getByLabel('Password').fill('short')
    await page.getByRole('button', { name: 'Register' }).click()
    await page.getByText('Use at least 12 characters (this one has 5).').waitFor()
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Register' }).click()

    expect(await alertText(page)).toContain('Check the fields marked below.')
    await page.getByText('Must be an email address').waitFor()
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('body').innerText()).not.toContain('"errors"')
    await screenshot(page, 'register-errors-desktop')
  })

  test('When registering with one of the most common passwords, the API refuses it and says why', async () => {
    const page = await open()
    await page.goto(`${server.url}/register`)
    await page.getByLabel('Email').fill(uniqueEmail('common'))
    await page.getByLabel('Password').fill('passwordpassword')
    await page.getByRole('button', { name: 'Register' }).click()

    await page.getByText('one of the most commonly used passwords').waitFor()
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true')
  })

  test('When signing in with nothing filled in, then a wrong password, the field at fault is marked and focused each time', async () => {
    const page = await open()
    await page.goto(`${server.url}/sign-in`)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('Enter your email address.').waitFor()
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('email')

    await page.getByLabel('Email').fill(uniqueEmail('nobody'))
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()

    await page.getByText('Email or password is incorrect').waitFor()
    expect(await page.getByRole('button', { name: 'Sign in' }).isEnabled()).toBe(true)
  })

  test('When changing the password, a wrong current one and a repeat that differs each mark and focus their field; then it is done', async () => {
    const { page } = await person()
    await page.goto(`${server.url}/password`)
    await page.getByRole('heading', { name: 'Change password' }).waitFor()
    const newOne = 'another long passphrase'
    await page.getByLabel('Current password').fill(password)
    await page.getByLabel('New password', { exact: true }).fill(newOne)
    await page.getByLabel('New password again').fill(`${newOne}!`)
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('This is not the same as the new password.').waitFor()
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('repeated')

    await page.getByLabel('Current password').fill('not the password at all')
    await page.getByLabel('New password again').fill(newOne)
    await page.getByRole('button', { name: 'Change password' }).click()
    await eventually(() => page.getByLabel('Current password').getAttribute('aria-invalid'), 'true')
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('currentPassword')

    await page.getByLabel('Current password').fill(password)
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('Your password is changed.').waitFor()
    expect(await page.getByLabel('Current password').inputValue()).toBe('')
    expect(await page.getByRole('alert').count()).toBe(0)
  })

  test('When registering properly, the person lands on an empty notes list', async () => {
    const { page } = await person()

    await page.getByText('No notes yet.').waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
    await screenshot(page, 'notes-empty-desktop')
  })

  test('When saving a note without a title and with a too long tag, each field shows its API message and nothing is created', async () => {
    const { page } = await person()
    await page.getByRole('link', { name: 'New note' }).click()
    await fillNote(page, { title: '   ', body: 'No title here', tags: `fine, ${'x'.repeat(51)}` })
    await page.getByRole('button', { name: 'Save', exact: true }).click()

    await page.getByText('Must not be blank').waitFor()
    await page.getByText('Tag 2: Must be at most 50 characters').waitFor()
    expect(await page.getByLabel('Title', { exact: true }).getAttribute('aria-invalid')).toBe('true')
    expect(await page.getByLabel('Tags', { exact: true }).getAttribute('aria-invalid')).toBe('true')
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('title')
    await screenshot(page, 'note-errors-desktop')
    await page.getByRole('link', { name: 'Cancel' }).click()
    await page.getByText('No notes yet.').waitFor()
  })

  test('When creating two notes, the list shows both, newest first, with their tags', async () => {
    const { page } = await person()
    await createNoteThroughUi(page, { title: 'Groceries', body: 'Milk\nBread\nApples', tags: 'home, errands' })
    await createNoteThroughUi(page, { title: 'Project ideas', body: 'A notes app that works offline.', tags: 'work' })

    await eventually(() => listedTitles(page), ['Project ideas', 'Groceries'])
    expect(await page.locator('.tag').allInnerTexts()).toEqual(['work', 'home', 'errands'])
    await screenshot(page, 'notes-list-desktop')
  })

  test('When editing a note, the editor opens filled in and the list shows the saved change', async () => {
    const { page } = await person()
    await createNoteThroughUi(page, { title: 'Groceries', tags: 'home, errands' })
    await page.getByRole('link', { name: 'Groceries', exact: true }).click()
    await page.getByRole('heading', { name: 'Edit note' }).waitFor()
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Groceries')
    expect(await page.getByLabel('Tags', { exact: true }).inputValue()).toBe('home, errands')
    await screenshot(page, 'note-edit-desktop')

    await fillNote(page, { title: 'Groceries for Saturday', tags: 'home' })
    await page.getByRole('button', { name: 'Save', exact: true }).click()

    await eventually(() => listedTitles(page), ['Groceries for Saturday'])
  })

  test('When the list has more notes than a page holds, "Load more" fetches the next page over the cursor', async () => {
    const { page } = await person({ notes: ['First', 'Second', 'Third'] })
    await page.goto(`${server.url}/?limit=2`)

    await eventually(() => listedTitles(page), ['Third', 'Second'])
    const loadMore = page.getByRole('button', { name: 'Load more' })
    await loadMore.click()

    await eventually(() => listedTitles(page), ['Third', 'Second', 'First'])
    expect(await loadMore.count()).toBe(0)
    await screenshot(page, 'notes-load-more-desktop')
  })

  test('When a note is deleted, it leaves the list and waits in the trash; restored, it is back in the list', async () => {
    const { page } = await person({ notes: ['Keep', 'Project ideas'] })
    await page.getByRole('button', { name: 'Delete “Project ideas”' }).click()

    await page.getByText('Moved “Project ideas” to the trash.').waitFor()
    await eventually(() => listedTitles(page), ['Keep'])
    await page.getByRole('link', { name: 'Trash' }).click()
    await page.getByRole('heading', { name: 'Trash', level: 1 }).waitFor()
    await eventually(() => listedTitles(page), ['Project ideas'])
    await screenshot(page, 'trash-desktop')
    await page.getByRole('button', { name: 'Restore “Project ideas”' }).click()

    await page.getByText('The trash is empty.').waitFor()
    await page.getByRole('status').getByRole('link', { name: '“Project ideas”' }).waitFor()
    await screenshot(page, 'trash-empty-desktop')
    await page.getByRole('link', { name: 'All notes' }).click()
    await eventually(() => listedTitles(page), ['Project ideas', 'Keep'])
  })

  test('When opening a note that does not exist, the problem detail shows, not JSON', async () => {
    const { page } = await person()
    await page.goto(`${server.url}/notes/does-not-exist`)

    expect(await alertText(page)).toContain('No note with this id')
    expect(await page.locator('main').innerText()).not.toContain('{')
  })

  test('While the list loads, a loading message shows; then the notes replace it', async () => {
    const { page } = await person({ notes: ['Slow to come'] })
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    await page.route('**/api/notes?*', async (route) => {
      await held
      await route.continue()
    })
    await page.goto(`${server.url}/`)

    await page.getByText('Loading notes…').waitFor()
    await screenshot(page, 'notes-loading-desktop')
    release()
    await eventually(() => listedTitles(page), ['Slow to come'])
    expect(await page.getByText('Loading notes…').count()).toBe(0)
  })

  test('When the API cannot be reached, the list says so in words', async () => {
    const { page } = await person()
    await page.route('**/api/notes?*', (route) => route.abort('connectionrefused'))
    await page.goto(`${server.url}/`)

    expect(await alertText(page)).toContain('Could not reach the server')
  })

  test('When signing out, the notes need a sign-in again, even after a reload', async () => {
    const { page } = await person()
    await page.getByRole('button', { name: 'Sign out' }).click()

    await page.getByText('You are signed out.').waitFor()
    await screenshot(page, 'signed-out-desktop')
    await page.goto(`${server.url}/trash`)
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
  })

  test('When signing in with a wrong password, the API says so; signing in then returns to the page asked for', async () => {
    const { page, email } = await person({ notes: ['Mine'] })
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.goto(`${server.url}/trash`)
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill('wrong password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    expect(await alertText(page)).toContain('Email or password is incorrect')

    await signInThroughUi(page, email)

    expect(new URL(page.url()).pathname).toBe('/trash')
    await page.getByText('The trash is empty.').waitFor()
    await page.getByRole('link', { name: 'All notes' }).click()
    await eventually(() => listedTitles(page), ['Mine'])
  })

  test('When deleting from the editor, the note leaves the list for the trash', async () => {
    const { page } = await person({ notes: ['Stays', 'Third note'] })
    await page.getByRole('link', { name: 'Third note' }).click()
    await page.getByRole('heading', { name: 'Edit note' }).waitFor()
    await page.getByRole('button', { name: 'Delete' }).click()

    await eventually(() => listedTitles(page), ['Stays'])
    await page.getByRole('link', { name: 'Trash' }).click()
    await eventually(() => listedTitles(page), ['Third note'])
  })
})
