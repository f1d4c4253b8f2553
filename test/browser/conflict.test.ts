import request from 'supertest'
import type { Browser, Page } from 'playwright-core'
import { describeInBrowser, launchBrowser, openPage, screenshot, viewports, watchForPageErrors } from './support/browser'
import { startSpaServer, type SpaServer } from './support/server'
import {
  alertText,
  apiAuth,
  createNoteThroughUi,
  eventually,
  fillNote,
  listedTitles,
  registerThroughUi,
  signInThroughUi,
} from './support/ui'

jest.setTimeout(120_000)

describeInBrowser('SPA: the same note edited in two places', () => {
  let server: SpaServer
  let browser: Browser
  let first: Page
  let second: Page
  let pageErrors: string[]
  const email = `two-tabs-${Date.now()}@example.com`

  beforeAll(async () => {
    server = await startSpaServer()
    browser = await launchBrowser()
    // Two contexts: two devices, each with its own cookies and its own sign-in.
    first = await openPage(browser)
    second = await openPage(browser)
    pageErrors = watchForPageErrors(first)
    watchForPageErrors(second, pageErrors)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([])
  })

  test('When the second place saves a note the first changed meanwhile, it is told so and offered a reload', async () => {
    await registerThroughUi(first, server.url, email)
    await createNoteThroughUi(first, { title: 'Shared plan', body: 'Version one' })
    const noteUrl = await first.getByRole('link', { name: 'Shared plan' }).getAttribute('href')
    await second.goto(`${server.url}${noteUrl}`)
    await signInThroughUi(second, email)
    await second.getByRole('heading', { name: 'Edit note' }).waitFor()
    await first.getByRole('link', { name: 'Shared plan' }).click()
    await first.getByRole('heading', { name: 'Edit note' }).waitFor()

    await fillNote(first, { title: 'Shared plan (first)' })
    await first.getByRole('button', { name: 'Save', exact: true }).click()
    await first.getByRole('link', { name: 'Shared plan (first)' }).waitFor()
    await fillNote(second, { body: 'Edited in the second place' })
    await second.getByRole('button', { name: 'Save', exact: true }).click()

    expect(await alertText(second)).toContain('This note was changed elsewhere')
    expect(await second.getByLabel('Text', { exact: true }).inputValue()).toBe('Edited in the second place')
    expect(await second.evaluate<string | null>("document.activeElement.getAttribute('role')")).toBe('alert')
    await screenshot(second, 'note-conflict-desktop')
    await second.setViewportSize(viewports.phone)
    await screenshot(second, 'note-conflict-phone')
    await second.setViewportSize(viewports.desktop)
  })

  test('When reloading after the conflict, the editor shows the latest version and saving it works', async () => {
    await second.getByRole('button', { name: 'Reload the note' }).click()

    await second.getByText('Reloaded the latest version of this note.').waitFor()
    expect(await second.getByLabel('Title', { exact: true }).inputValue()).toBe('Shared plan (first)')
    expect(await second.getByLabel('Text', { exact: true }).inputValue()).toBe('Version one')
    expect(await second.getByRole('alert').count()).toBe(0)

    await fillNote(second, { body: 'Edited in the second place' })
    await second.getByRole('button', { name: 'Save', exact: true }).click()
    await eventually(() => listedTitles(second), ['Shared plan (first)'])

    const list = await request(server.testApp.app)
      .get('/api/notes')
      .set(await apiAuth(server.testApp.app, email))
    expect(list.body.items).toEqual([
      expect.objectContaining({ title: 'Shared plan (first)', body: 'Edited in the second place', version: 3 }),
    ])
  })
})
