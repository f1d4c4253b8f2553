import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { launchBrowser, openPage, viewports, watchForPageErrors } from './browser'
import { startSpaServer, type SpaServer, type SpaServerOptions } from './server'

export interface BrowserSuite {
  server: SpaServer
  browser: Browser
  /** The suite's shared page. */
  page: Page
  /**
   * A page in a new browser context (a browser of its own: own cookies, own storage) that lives
   * for the current test only, watched for errors like the shared page. `tab(page)` opens another
   * tab of the same browser, sharing its cookies, storage and BroadcastChannel.
   */
  open: (options?: BrowserContextOptions) => Promise<Page>
  tab: (page: Page) => Promise<Page>
}

/**
 * The set-up a one-page browser suite shares: a server of its own (with `env`), Chromium and one
 * page, closed after the suite; and after each test, the check that the page logged no error and
 * no CSP violation, so a refused script fails the step that caused it. `ready` gets them once started.
 * @example useBrowserSuite({ env: { JWT_TTL_SECONDS: '60' } }, (suite) => ({ server, page } = suite))
 */
export function useBrowserSuite(options: SpaServerOptions & { page?: BrowserContextOptions }, ready: (suite: BrowserSuite) => void): void {
  const started: Partial<BrowserSuite> = {}
  const pageErrors: string[] = []
  const perTest: Page[] = []

  beforeAll(async () => {
    started.server = await startSpaServer(options)
    started.browser = await launchBrowser()
    started.page = await openPage(started.browser, options.page)
    watchForPageErrors(started.page, pageErrors)
    started.open = async (contextOptions = options.page ?? { viewport: viewports.desktop }) => {
      const page = await openPage(started.browser!, contextOptions)
      perTest.push(page)
      return watched(page)
    }
    started.tab = async (page) => watched(await page.context().newPage())
    ready(started as BrowserSuite)
  })

  function watched(page: Page): Page {
    watchForPageErrors(page, pageErrors)
    return page
  }

  afterEach(async () => {
    await Promise.all(perTest.splice(0).map((page) => page.context().close()))
  })

  afterAll(async () => {
    await started.browser?.close()
    await started.server?.close()
  })

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([])
  })
}
