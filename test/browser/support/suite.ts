import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import request from 'supertest'
import { launchBrowser, openPage, viewports, watchForPageErrors } from './browser'
import { startSpaServer, type SpaServer, type SpaServerOptions } from './server'
import { apiAuth, eventually, listedTitles, registerThroughUi, uniqueEmail } from './ui'

/** A person of a test's own: signed in on a page of their own, and their token to act through the API as another device. */
export interface Person {
  page: Page
  email: string
  auth: { Authorization: string }
}

export interface BrowserSuite {
  server: SpaServer
  browser: Browser
  /**
   * A page in a new browser context (a browser of its own: own cookies, own storage) that lives
   * for the current test only, watched for errors like the shared page. `tab(page)` opens another
   * tab of the same browser, sharing its cookies, storage and BroadcastChannel.
   */
  open: (options?: BrowserContextOptions) => Promise<Page>
  tab: (page: Page) => Promise<Page>
  /** A new person registered on a new page, with `notes` created through the API (the last one newest), on the notes list. */
  person: (options?: { notes?: string[]; context?: BrowserContextOptions }) => Promise<Person>
}

/**
 * The set-up a browser suite shares: a server of its own (with `env`, on the wall clock with
 * `realClock`) and Chromium, closed after the suite. Each test opens the pages it needs (`open`,
 * `tab`, `person`); they are closed after it, so no test depends on another's state or order.
 * After each test, the check that no page logged an error or a CSP violation, so a refused
 * script fails the step that caused it. `ready` gets them once started; `page` is the default
 * context options of `open`.
 * @example useBrowserSuite({ env: { JWT_TTL_SECONDS: '60' } }, (suite) => ({ server, person } = suite))
 */
export function useBrowserSuite(options: SpaServerOptions & { page?: BrowserContextOptions }, ready: (suite: BrowserSuite) => void): void {
  const started: Partial<BrowserSuite> = {}
  const pageErrors: string[] = []
  const perTest: Page[] = []

  beforeAll(async () => {
    started.server = await startSpaServer(options)
    started.browser = await launchBrowser()
    started.open = async (contextOptions = options.page ?? { viewport: viewports.desktop }) => {
      const page = await openPage(started.browser!, contextOptions)
      perTest.push(page)
      return watched(page)
    }
    started.tab = async (page) => watched(await page.context().newPage())
    started.person = async ({ notes = [], context } = {}) => {
      const { app } = started.server!.testApp
      const page = await started.open!(context)
      const email = uniqueEmail('person')
      await registerThroughUi(page, started.server!.url, email)
      const auth = await apiAuth(app, email)
      for (const title of notes)
        await request(app)
          .post('/api/notes')
          .set(auth)
          .send({ title, body: `About ${title}` })
          .expect(201)
      if (notes.length) {
        await page.getByRole('link', { name: 'Trash' }).click()
        await page.getByRole('link', { name: 'All notes' }).click()
        await eventually(async () => (await listedTitles(page)).length, notes.length)
      }
      return { page, email, auth }
    }
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
