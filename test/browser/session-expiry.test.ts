import type { Page } from 'playwright-core'
import { describeInBrowser, screenshot } from './support/browser'
import type { SpaServer } from './support/server'
import { useBrowserSuite } from './support/suite'
import { createNoteThroughUi, eventually, listedTitles, registerThroughUi, signInThroughUi } from './support/ui'

jest.setTimeout(120_000)

describeInBrowser('SPA: an expired session', () => {
  let server: SpaServer
  let page: Page
  const email = `expiring-${Date.now()}@example.com`
  useBrowserSuite({ env: { JWT_TTL_SECONDS: '60' } }, (suite) => ({ server, page } = suite))

  test('When the token has expired, the next call sends the person to sign-in with a message', async () => {
    await registerThroughUi(page, server.url, email)
    await createNoteThroughUi(page, { title: 'Before expiry' })

    // Past the 60 s lifetime and the API's 30 s of allowed clock skew.
    server.testApp.clock.advance(5 * 60_000)
    await page.getByRole('link', { name: 'Trash' }).click()

    await page.getByText('Your session has expired. Please sign in again.').waitFor()
    const url = new URL(page.url())
    expect(url.pathname).toBe('/sign-in')
    expect(url.searchParams.get('redirect')).toBe('/trash')
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0)
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0)
    await screenshot(page, 'session-expired-desktop')
  })

  test('When signing in again, the person goes back to where the session ended', async () => {
    await signInThroughUi(page, email)

    expect(new URL(page.url()).pathname).toBe('/trash')
    await page.getByText('The trash is empty.').waitFor()
    await page.getByRole('link', { name: 'All notes' }).click()
    await eventually(() => listedTitles(page), ['Before expiry'])
  })
})
