import { describeInBrowser } from './support/browser'
import type { SpaServer } from './support/server'
import { useBrowserSuite, type BrowserSuite } from './support/suite'
import { registerThroughUi, uniqueEmail } from './support/ui'

jest.setTimeout(120_000)

/**
 * The SPA asks `/auth/refresh` only when the browser may hold a sign-in (the `notes_signed_in` hint the
 * server sets beside the refresh cookie): a signed-out visit makes no request that fails, so the
 * console shows no red `401 (Unauthorized)`.
 */
describeInBrowser('SPA: a signed-out visit', () => {
  let server: SpaServer
  let open: BrowserSuite['open']
  useBrowserSuite({}, (suite) => ({ server, open } = suite))

  test('When nobody has signed in on this browser, loading the SPA logs nothing to the console and asks nothing of /auth/refresh', async () => {
    const page = await open()
    const consoleErrors: string[] = []
    const refreshes: number[] = []
    page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()))
    page.on('response', (res) => new URL(res.url()).pathname === '/auth/refresh' && refreshes.push(res.status()))

    await page.goto(`${server.url}/`)
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()

    expect(refreshes).toEqual([])
    expect(consoleErrors).toEqual([])
  })

  test('When the person signs out, a reload makes no failing request either; signed in, a reload renews', async () => {
    const page = await open()
    const refreshes: number[] = []
    const consoleErrors: string[] = []
    page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()))
    page.on('response', (res) => new URL(res.url()).pathname === '/auth/refresh' && refreshes.push(res.status()))
    await registerThroughUi(page, server.url, uniqueEmail('console'))

    await page.reload()
    await page.getByRole('button', { name: 'Sign out' }).waitFor()
    expect(refreshes).toEqual([200])

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()

    expect(refreshes).toEqual([200])
    expect(consoleErrors).toEqual([])
  })
})
