import type { Page } from 'playwright-core'
import { describeInBrowser, screenshot } from './support/browser'
import type { SpaServer } from './support/server'
import { useBrowserSuite } from './support/suite'
import { alertText, createNoteThroughUi, eventually, fillNote, listedTitles, password, signInThroughUi } from './support/ui'

jest.setTimeout(120_000)

describeInBrowser('SPA: a person keeps notes', () => {
  let server: SpaServer
  let page: Page
  const email = `reader-${Date.now()}@example.com`
  useBrowserSuite({}, (suite) => ({ server, page } = suite))

  test('When signed out, the app opens on the sign-in screen, served under a CSP of script-src self', async () => {
    const response = await page.goto(`${server.url}/`)

    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'")
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/sign-in')
    await screenshot(page, 'sign-in-desktop')
  })

  test('When registering with a bad email and a short password, the API field errors show at each field', async () => {
    await page.getByRole('link', { name: 'Register' }).click()
    await page.getByRole('heading', { name: 'Create an account' }).waitFor()
    await page.getByLabel('Email').fill('not-an-email')
    await page.getByLabel('Password').fill('short')
    await page.getByRole('button', { name: 'Register' }).click()

    expect(await alertText(page)).toContain('Check the fields marked below.')
    await page.getByText('Must be an email address').waitFor()
    await page.getByText('Must be at least 8 characters').waitFor()
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('body').innerText()).not.toContain('"errors"')
    await screenshot(page, 'register-errors-desktop')
  })

  test('When registering properly, the person lands on an empty notes list', async () => {
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Register' }).click()

    await page.getByText('No notes yet.').waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
    await screenshot(page, 'notes-empty-desktop')
  })

  test('When saving a note without a title and with a too long tag, each field shows its API message and nothing is created', async () => {
    await page.getByRole('link', { name: 'New note' }).click()
    await fillNote(page, { title: '   ', body: 'No title here', tags: `fine, ${'x'.repeat(51)}` })
    await page.getByRole('button', { name: 'Save' }).click()

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
    await createNoteThroughUi(page, { title: 'Groceries', body: 'Milk\nBread\nApples', tags: 'home, errands' })
    await createNoteThroughUi(page, { title: 'Project ideas', body: 'A notes app that works offline.', tags: 'work' })

    await eventually(() => listedTitles(page), ['Project ideas', 'Groceries'])
    expect(await page.locator('.tag').allInnerTexts()).toEqual(['work', 'home', 'errands'])
    await screenshot(page, 'notes-list-desktop')
  })

  test('When editing a note, the editor opens filled in and the list shows the saved change', async () => {
    await page.getByRole('link', { name: 'Groceries', exact: true }).click()
    await page.getByRole('heading', { name: 'Edit note' }).waitFor()
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Groceries')
    expect(await page.getByLabel('Tags', { exact: true }).inputValue()).toBe('home, errands')
    await screenshot(page, 'note-edit-desktop')

    await fillNote(page, { title: 'Groceries for Saturday', tags: 'home' })
    await page.getByRole('button', { name: 'Save' }).click()

    await page.getByRole('link', { name: 'Groceries for Saturday' }).waitFor()
    expect(await listedTitles(page)).toContain('Groceries for Saturday')
  })

  test('When the list has more notes than a page holds, "Load more" fetches the next page over the cursor', async () => {
    await createNoteThroughUi(page, { title: 'Third note' })
    await page.goto(`${server.url}/?limit=2`)

    await eventually(() => listedTitles(page), ['Third note', 'Project ideas'])
    const loadMore = page.getByRole('button', { name: 'Load more' })
    await loadMore.click()

    await eventually(() => listedTitles(page), ['Third note', 'Project ideas', 'Groceries for Saturday'])
    expect(await loadMore.count()).toBe(0)
    await screenshot(page, 'notes-load-more-desktop')
  })

  test('When a note is deleted, it leaves the list and waits in the trash', async () => {
    await page.goto(`${server.url}/`)
    await page.getByRole('button', { name: 'Delete “Project ideas”' }).click()

    await page.getByText('Moved “Project ideas” to the trash.').waitFor()
    await eventually(() => listedTitles(page), ['Third note', 'Groceries for Saturday'])
    await page.getByRole('link', { name: 'Trash' }).click()
    await page.getByRole('heading', { name: 'Trash', level: 1 }).waitFor()
    await eventually(() => listedTitles(page), ['Project ideas'])
    await screenshot(page, 'trash-desktop')
  })

  test('When a note is restored from the trash, the trash is empty and the note is back in the list', async () => {
    await page.getByRole('button', { name: 'Restore “Project ideas”' }).click()

    await page.getByText('The trash is empty.').waitFor()
    await page.getByRole('status').getByRole('link', { name: '“Project ideas”' }).waitFor()
    await screenshot(page, 'trash-empty-desktop')
    await page.getByRole('link', { name: 'All notes' }).click()
    await eventually(() => listedTitles(page), ['Third note', 'Project ideas', 'Groceries for Saturday'])
  })

  test('When the tab reloads, the person is still signed in', async () => {
    await page.reload()

    await eventually(() => listedTitles(page), ['Third note', 'Project ideas', 'Groceries for Saturday'])
    expect(await page.getByText(email).count()).toBe(1)
  })

  test('When opening a note that does not exist, the problem detail shows, not JSON', async () => {
    await page.goto(`${server.url}/notes/does-not-exist`)

    expect(await alertText(page)).toContain('No note with this id')
    expect(await page.locator('main').innerText()).not.toContain('{')
  })

  test('While the list loads, a loading message shows; then the notes replace it', async () => {
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
    await eventually(() => listedTitles(page), ['Third note', 'Project ideas', 'Groceries for Saturday'])
    expect(await page.getByText('Loading notes…').count()).toBe(0)
    await page.unroute('**/api/notes?*')
  })

  test('When the API cannot be reached, the list says so in words', async () => {
    await page.route('**/api/notes?*', (route) => route.abort('connectionrefused'))
    await page.goto(`${server.url}/`)

    expect(await alertText(page)).toContain('Could not reach the server')
    await page.unroute('**/api/notes?*')
  })

  test('When signing out, the token is gone and the notes need a sign-in again', async () => {
    await page.goto(`${server.url}/`)
    await page.getByRole('button', { name: 'Sign out' }).click()

    await page.getByText('You are signed out.').waitFor()
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0)
    await screenshot(page, 'signed-out-desktop')
    await page.goto(`${server.url}/trash`)
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
  })

  test('When signing in with a wrong password, the API says so on the form', async () => {
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill('wrong password')
    await page.getByRole('button', { name: 'Sign in' }).click()

    expect(await alertText(page)).toContain('Email or password is incorrect')
  })

  test('When signing in again, the person returns to the page they asked for, with their notes', async () => {
    await signInThroughUi(page, email)

    expect(new URL(page.url()).pathname).toBe('/trash')
    await page.getByText('The trash is empty.').waitFor()
    await page.getByRole('link', { name: 'All notes' }).click()
    await eventually(() => listedTitles(page), ['Third note', 'Project ideas', 'Groceries for Saturday'])
  })

  test('When deleting from the editor, the note leaves the list for the trash', async () => {
    await page.getByRole('link', { name: 'Third note' }).click()
    await page.getByRole('heading', { name: 'Edit note' }).waitFor()
    await page.getByRole('button', { name: 'Delete' }).click()

    await eventually(() => listedTitles(page), ['Project ideas', 'Groceries for Saturday'])
    await page.getByRole('link', { name: 'Trash' }).click()
    await eventually(() => listedTitles(page), ['Third note'])
  })
})
