import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { launchBrowser, openPage, watchForPageErrors } from './browser'
import { startSpaServer, type SpaServer } from './server'

export interface BrowserSuite {
  server: SpaServer
  browser: Browser
  page: Page
}

/**
 * The set-up a one-page browser suite shares: a server of its own (with `env`), Chromium and one
 * page, closed after the suite; and after each test, the check that the page logged no error and
 * no CSP violation, so a refused script fails the step that caused it. `ready` gets them once started.
 * @example useBrowserSuite({ env: { JWT_TTL_SECONDS: '60' } }, (suite) => ({ server, page } = suite))
 */
export function useBrowserSuite(
  options: { env?: Record<string, string>; page?: BrowserContextOptions },
  ready: (suite: BrowserSuite) => void,
): void {
  const started: Partial<BrowserSuite> = {}
  let pageErrors: string[] = []

  beforeAll(async () => {
    started.server = await startSpaServer(options.env)
    started.browser = await launchBrowser()
    started.page = await openPage(started.browser, options.page)
    pageErrors = watchForPageErrors(started.page)
    ready(started as BrowserSuite)
  })

  afterAll(async () => {
    await started.browser?.close()
    await started.server?.close()
  })

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([])
  })
}
