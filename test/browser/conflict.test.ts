import request from 'supertest'
import { describeInBrowser, screenshot, viewports } from './support/browser'
import type { SpaServer } from './support/server'
import { useBrowserSuite, type BrowserSuite } from './support/suite'
import { alertText, eventually, fillNote, listedTitles, signInThroughUi } from './support/ui'

jest.setTimeout(120_000)

describeInBrowser('SPA: the same note edited in two places', () => {
  let server: SpaServer
  let open: BrowserSuite['open']
  let person: BrowserSuite['person']
  useBrowserSuite({}, (suite) => ({ server, open, person } = suite))

  test('When the second place saves a note the first changed meanwhile, it is told so and offered a reload', async () => {
    const { page: first, email } = await person({ notes: ['Shared plan'] })
    const noteUrl = await first.getByRole('link', { name: 'Shared plan' }).getAttribute('href')
    // Two contexts: two devices, each with its own cookies and its own sign-in.
    const second = await open()
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
  })

  test('When reloading after the conflict, the editor shows the latest version and saving it works', async () => {
    const { page, auth } = await person({ notes: ['Shared plan'] })
    await page.getByRole('link', { name: 'Shared plan' }).click()
    await page.getByRole('heading', { name: 'Edit note' }).waitFor()
    const id = new URL(page.url()).pathname.split('/').pop()
    await request(server.testApp.app).patch(`/api/notes/${id}`).set(auth).send({ title: 'Shared plan (elsewhere)' }).expect(200)
    await fillNote(page, { body: 'Edited here' })
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await alertText(page)

    await page.getByRole('button', { name: 'Reload the note' }).click()

    await page.getByText('Reloaded the latest version of this note.').waitFor()
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Shared plan (elsewhere)')
    expect(await page.getByLabel('Text', { exact: true }).inputValue()).toBe('About Shared plan')
    expect(await page.getByRole('alert').count()).toBe(0)

    await fillNote(page, { body: 'Edited here' })
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await eventually(() => listedTitles(page), ['Shared plan (elsewhere)'])
    const list = await request(server.testApp.app).get('/api/notes').set(auth)
    expect(list.body.items).toEqual([expect.objectContaining({ title: 'Shared plan (elsewhere)', body: 'Edited here', version: 3 })])
  })
})
