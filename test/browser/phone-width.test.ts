import { accessibilityProblems } from './support/axe'
import { describeInBrowser, screenshot, viewports } from './support/browser'
import { useBrowserSuite, type BrowserSuite } from './support/suite'
import { eventually, fillNote, listedTitles } from './support/ui'

jest.setTimeout(120_000)

/**
 * At 390 px, a title with no space to break at (a URL, a file name, a long word) wraps inside every
 * message that quotes it, as it does in the note cards: the page never grows sideways. Measured as
 * the page's scroll width against the window's.
 */
describeInBrowser('SPA: long titles on a phone', () => {
  let person: BrowserSuite['person']
  const phone = { viewport: viewports.phone, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
  useBrowserSuite({ page: phone }, (suite) => ({ person } = suite))
  const long = `Unbroken${'x'.repeat(140)}`
  const scrollWidth = (page: import('playwright-core').Page) => page.evaluate<number>('document.documentElement.scrollWidth')

  test('When a note with a long unbroken title is moved to the trash and restored, both messages fit the screen', async () => {
    const { page } = await person({ notes: [long], context: phone })
    await page.getByRole('button', { name: `Delete “${long}”` }).click()
    await page.getByText(/^Moved “Unbroken/).waitFor()

    expect(await scrollWidth(page)).toBeLessThanOrEqual(390)
    expect(await accessibilityProblems(page)).toEqual([])
    await screenshot(page, 'long-title-moved-phone')

    await page.getByRole('link', { name: 'Trash' }).click()
    await eventually(() => listedTitles(page), [long])
    await page.getByRole('button', { name: `Restore “${long}”` }).click()
    await page
      .getByRole('status')
      .filter({ hasText: /Restored “Unbroken/ })
      .waitFor()
    expect(await scrollWidth(page)).toBeLessThanOrEqual(390)
  })

  test('When unsaved changes to a long-titled note wait, the notice on the list and the offer in the editor fit the screen', async () => {
    const { page } = await person({ notes: [long], context: phone })
    await page.getByRole('link', { name: long }).click()
    await fillNote(page, { body: 'Typed and left' })
    await page.getByRole('link', { name: 'Cancel' }).click()
    const notice = page.getByRole('region', { name: 'Unsaved changes' })
    await notice.waitFor()

    expect(await scrollWidth(page)).toBeLessThanOrEqual(390)
    await screenshot(page, 'long-title-drafts-phone')

    await notice.getByRole('link', { name: long }).click()
    await page.getByText('You have unsaved changes to this note').waitFor()
    expect(await scrollWidth(page)).toBeLessThanOrEqual(390)
    await screenshot(page, 'long-title-offer-phone')
  })
})
