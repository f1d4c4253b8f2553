import { describeInBrowser, screenshot } from './support/browser'
import type { SpaServer } from './support/server'
import { useBrowserSuite, type BrowserSuite } from './support/suite'
import { createNoteThroughUi, eventually, listedTitles, registerThroughUi, signInThroughUi, uniqueEmail } from './support/ui'

jest.setTimeout(120_000)

describeInBrowser('SPA: tokens and sign-ins that run out', () => {
  let server: SpaServer
  let open: BrowserSuite['open']
  useBrowserSuite({ env: { JWT_TTL_SECONDS: '60' } }, (suite) => ({ server, open } = suite))

  test('When the access token has expired, the next call renews it over the refresh cookie and the person notices nothing', async () => {
    const page = await open()
    await registerThroughUi(page, server.url, uniqueEmail('expired-token'))
    await createNoteThroughUi(page, { title: 'Before expiry' })

    // Past the 60 s lifetime and the API's 30 s of allowed clock skew; the refresh cookie lasts 30 days.
    server.testApp.clock.advance(5 * 60_000)
    await page.getByRole('link', { name: 'Trash' }).click()

    await page.getByText('The trash is empty.').waitFor()
    expect(new URL(page.url()).pathname).toBe('/trash')
    await page.getByRole('link', { name: 'All notes' }).click()
    await eventually(() => listedTitles(page), ['Before expiry'])
  })

  test('When the sign-in itself has run out, the next call sends the person to sign in with a message, then back to the page', async () => {
    const page = await open()
    const email = uniqueEmail('expired-sign-in')
    await registerThroughUi(page, server.url, email)
    await createNoteThroughUi(page, { title: 'Before the sign-in ran out' })

    // Past the refresh cookie's 30 days: renewal is refused too.
    server.testApp.clock.advance(31 * 24 * 3600_000)
    await page.getByRole('link', { name: 'Trash' }).click()

    await page.getByText('You were signed out').waitFor()
    const url = new URL(page.url())
    expect(url.pathname).toBe('/sign-in')
    expect(url.searchParams.get('redirect')).toBe('/trash')
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0)
    await screenshot(page, 'session-expired-desktop')

    await signInThroughUi(page, email)
    expect(new URL(page.url()).pathname).toBe('/trash')
    await page.getByText('The trash is empty.').waitFor()
    await page.getByRole('link', { name: 'All notes' }).click()
    await eventually(() => listedTitles(page), ['Before the sign-in ran out'])
  })
})
