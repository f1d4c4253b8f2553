import request from 'supertest'
import { describeInBrowser, screenshot, viewports } from './support/browser'
import type { SpaServer } from './support/server'
import { useBrowserSuite, type BrowserSuite } from './support/suite'
import { alertText, createNoteThroughUi, eventually, fillNote, fitsWidth, focused, listedTitles } from './support/ui'

jest.setTimeout(120_000)

describeInBrowser('SPA: the list and the editor, as outside trials found them', () => {
  let server: SpaServer
  let open: BrowserSuite['open']
  let person: BrowserSuite['person']
  useBrowserSuite({}, (suite) => ({ server, open, person } = suite))
  const personWithNotes = (notes: string[] = [], viewport = viewports.desktop) => person({ notes, context: { viewport } })

  test('When the app loads, its favicon is there: no request of the page fails', async () => {
    const page = await open()
    const failed: string[] = []
    page.on('response', (res) => {
      if (res.status() >= 400) failed.push(`${res.status()} ${new URL(res.url()).pathname}`)
    })
    await page.goto(`${server.url}/register`)
    await page.getByRole('heading', { name: 'Create an account' }).waitFor()

    const icon = await request(server.testApp.app).get('/favicon.svg')
    expect(icon.status).toBe(200)
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/)
    expect(failed.filter((entry) => !entry.endsWith('/auth/refresh'))).toEqual([])
  })

  test('When a note has a 49-character tag with no spaces, the card still fits a 390 px screen', async () => {
    const { page } = await personWithNotes([], viewports.phone)
    await createNoteThroughUi(page, { title: 'Long tag', tags: 'x'.repeat(49) })

    expect(await fitsWidth(page)).toBe(true)
    await screenshot(page, 'long-tag-phone')
  })

  test('When deleting from the list, keyboard focus moves to the next note’s Delete, not to the page', async () => {
    const { page } = await personWithNotes(['Oldest', 'Middle', 'Newest'])
    await eventually(() => listedTitles(page), ['Newest', 'Middle', 'Oldest'])

    await page.getByRole('button', { name: 'Delete “Middle”' }).focus()
    await page.keyboard.press('Enter')

    await eventually(() => listedTitles(page), ['Newest', 'Oldest'])
    await eventually(() => focused(page), 'button:Delete “Oldest”')
  })

  test('When restoring from the trash, keyboard focus moves to the next Restore, and to the heading once the trash is empty', async () => {
    const { page, auth } = await personWithNotes(['First', 'Second'])
    for (const item of (await request(server.testApp.app).get('/api/notes').set(auth)).body.items)
      await request(server.testApp.app).delete(`/api/notes/${item.id}`).set(auth).expect(204)
    await page.goto(`${server.url}/trash`)
    await eventually(async () => (await listedTitles(page)).length, 2)
    const [top, next] = await listedTitles(page)

    await page.getByRole('button', { name: `Restore “${top}”` }).focus()
    await page.keyboard.press('Enter')
    await eventually(() => focused(page), `button:Restore “${next}”`)
    await page.keyboard.press('Enter')

    await page.getByText('The trash is empty.').waitFor()
    await eventually(() => focused(page), 'h1:Trash')
  })

  test('When pressing "Load more" by keyboard, focus lands on the first note it brought, not on the page', async () => {
    const { page } = await personWithNotes(['Three', 'Two', 'One'])
    await page.goto(`${server.url}/?limit=2`)
    await eventually(() => listedTitles(page), ['One', 'Two'])

    await page.getByRole('button', { name: 'Load more' }).focus()
    await page.keyboard.press('Enter')

    await eventually(() => listedTitles(page), ['One', 'Two', 'Three'])
    await eventually(() => focused(page), 'a:Three')
  })

  test('When going back from a note opened deep in the list, the same notes show, scrolled as they were, focus on that note', async () => {
    const titles = ['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7']
    const { page } = await personWithNotes(titles, { width: 800, height: 500 })
    await page.goto(`${server.url}/?limit=2`)
    await eventually(() => listedTitles(page), ['N7', 'N6'])
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Load more' }).click()
    await eventually(async () => (await listedTitles(page)).length, 7)
    await page.getByRole('link', { name: 'N2', exact: true }).scrollIntoViewIfNeeded()
    const scrolled = await page.evaluate<number>('window.scrollY')
    expect(scrolled).toBeGreaterThan(200)

    await page.getByRole('link', { name: 'N2', exact: true }).click()
    await page.getByRole('heading', { name: 'Edit note' }).waitFor()
    await page.goBack()
    await eventually(async () => (await listedTitles(page)).length, 7)
    await eventually(() => page.evaluate<number>('Math.round(window.scrollY)'), Math.round(scrolled))
    await eventually(() => focused(page), 'a:N2')

    await page.getByRole('link', { name: 'N3', exact: true }).click()
    await fillNote(page, { title: 'N3 edited' })
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByRole('link', { name: 'N3 edited' }).waitFor()
    expect(new URL(page.url()).search).toBe('?limit=2')
    await eventually(async () => (await listedTitles(page)).length, 7)
    expect(await page.evaluate<number>('window.scrollY')).toBeGreaterThan(200)
  })

  test('When saving a note with an empty title, the title shows one message', async () => {
    const { page } = await personWithNotes()
    await page.getByRole('link', { name: 'New note' }).click()
    await fillNote(page, { title: '', body: 'Text without a title' })
    await page.getByRole('button', { name: 'Save', exact: true }).click()

    const message = page.locator('#title-error')
    await message.waitFor()
    expect(await message.innerText()).toBe('Must not be empty.')
  })

  test('When tags repeat in other cases or with spaces, they are saved once, first spelling kept; the field has a maxlength', async () => {
    const { page } = await personWithNotes()
    await page.getByRole('link', { name: 'New note' }).click()
    expect(await page.getByLabel('Tags', { exact: true }).getAttribute('maxlength')).toBe('1040')
    await fillNote(page, { title: 'Tidy tags', tags: 'home, Home,  home , work, WORK,' })
    await page.getByRole('button', { name: 'Save', exact: true }).click()

    await page.getByRole('link', { name: 'Tidy tags' }).waitFor()
    expect(await page.locator('.tag').allInnerTexts()).toEqual(['home', 'work'])
  })

  test('When pressing Enter in the title, the cursor moves to the text and nothing is saved', async () => {
    const { page } = await personWithNotes()
    await page.getByRole('link', { name: 'New note' }).click()
    await page.getByLabel('Title', { exact: true }).fill('Title first')
    await page.getByLabel('Title', { exact: true }).press('Enter')

    await eventually(() => focused(page), 'textarea:Text')
    await page.keyboard.type('Then the text.')
    expect(new URL(page.url()).pathname).toBe('/notes/new')
    expect(await page.getByLabel('Text', { exact: true }).inputValue()).toBe('Then the text.')
  })

  test('When signing in after signing out, a new error replaces the "signed out" notice, and an empty form says what is missing', async () => {
    const { page, email } = await personWithNotes()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByText('You are signed out.').waitFor()

    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('Enter your email address.').waitFor()
    await page.getByText('Enter your password.').waitFor()
    expect(await page.getByText('You are signed out.').count()).toBe(0)
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill('wrong password')
    await page.getByRole('button', { name: 'Sign in' }).click()

    expect(await alertText(page)).toContain('Email or password is incorrect')
    expect(await page.getByRole('status').count()).toBe(0)
  })

  test('When saving a note that was trashed elsewhere, the editor says it is in the trash and can restore it with the new text', async () => {
    const { page, auth } = await personWithNotes(['Moved away'])
    await page.getByRole('link', { name: 'Moved away' }).click()
    await page.getByRole('heading', { name: 'Edit note' }).waitFor()
    const id = new URL(page.url()).pathname.split('/').pop()
    await request(server.testApp.app).delete(`/api/notes/${id}`).set(auth).expect(204)

    await fillNote(page, { body: 'Kept after all' })
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    expect(await alertText(page)).toContain('This note is in the trash')
    await screenshot(page, 'note-trashed-elsewhere-desktop')
    await page.getByRole('button', { name: 'Restore it and save' }).click()

    await eventually(() => listedTitles(page), ['Moved away'])
    const note = (await request(server.testApp.app).get(`/api/notes/${id}`).set(auth)).body
    expect(note.body).toBe('Kept after all')
  })

  test('When saving a note that was trashed elsewhere, the text can be saved as a new note instead', async () => {
    const { page, auth } = await personWithNotes(['Gone'])
    await page.getByRole('link', { name: 'Gone' }).click()
    await page.getByRole('heading', { name: 'Edit note' }).waitFor()
    const id = new URL(page.url()).pathname.split('/').pop()
    await request(server.testApp.app).delete(`/api/notes/${id}`).set(auth).expect(204)

    await fillNote(page, { title: 'Gone, but not my text' })
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByRole('button', { name: 'Save as a new note' }).click()

    await eventually(() => listedTitles(page), ['Gone, but not my text'])
    const trash = (await request(server.testApp.app).get('/api/trash').set(auth)).body.items
    expect(trash.map((note: { title: string }) => note.title)).toEqual(['Gone'])
  })

  test('When a save meets a newer version (412), "Save mine as a copy" keeps both texts', async () => {
    const { page, auth } = await personWithNotes(['Shared'])
    await page.getByRole('link', { name: 'Shared' }).click()
    await page.getByRole('heading', { name: 'Edit note' }).waitFor()
    const id = new URL(page.url()).pathname.split('/').pop()
    await request(server.testApp.app).patch(`/api/notes/${id}`).set(auth).send({ body: 'Their text' }).expect(200)

    await fillNote(page, { body: 'My text' })
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    expect(await alertText(page)).toContain('This note was changed elsewhere')
    await page.getByRole('button', { name: 'Save mine as a copy' }).click()

    await eventually(() => listedTitles(page), ['Shared (copy)', 'Shared'])
    const items = (await request(server.testApp.app).get('/api/notes').set(auth)).body.items
    expect(items.map((note: { body: string }) => note.body)).toEqual(['My text', 'Their text'])
  })

  test('When an edit is left unsaved, the list offers it back, and the editor can restore or discard it', async () => {
    const { page } = await personWithNotes(['Half done'])
    await page.getByRole('link', { name: 'Half done' }).click()
    await fillNote(page, { body: 'More than before' })
    await page.getByRole('link', { name: 'Cancel' }).click()

    const drafts = page.getByRole('region', { name: 'Unsaved changes' })
    await drafts.getByRole('link', { name: 'Half done' }).click()
    expect(await alertText(page)).toContain('You have unsaved changes to this note')
    expect(await page.getByLabel('Text', { exact: true }).inputValue()).toBe('About Half done')
    await page.getByRole('button', { name: 'Discard them' }).click()

    await page.getByRole('link', { name: 'Cancel' }).click()
    await eventually(() => listedTitles(page), ['Half done'])
    expect(await drafts.count()).toBe(0)
  })
})
