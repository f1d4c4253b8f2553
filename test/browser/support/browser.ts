import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core'
import { rootDir } from './spa-build'

/** Debian's Chromium; the suite never downloads a browser. */
export const chromiumPath = '/usr/bin/chromium'

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

export const screenshotDir = path.join(rootDir, 'test-results', 'screenshots')

export const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
}

/**
 * `describe` when Chromium is installed. Without it the suite is skipped with a message on a
 * developer's machine, and fails loudly in CI, where a skipped browser suite would hide a broken SPA.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (existsSync(chromiumPath)) return describe(name, body)
  if (process.env.CI) {
    describe(name, () => {
      test('needs Chromium', () => {
        throw new Error(`Browser tests need Chromium at ${chromiumPath} (apt-get install -y chromium); CI must install it`)
      })
    })
    return
  }
  console.warn(`Skipping the browser tests "${name}": no Chromium at ${chromiumPath}. Install it with: apt-get install -y chromium`)
  describe.skip(name, body)
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true })
}

/**
 * A page in a fresh context (its own cookies and storage: another browser or device). Waits give up after
 * 10 s, so a screen that never shows fails its test with a clear timeout.
 */
export async function openPage(browser: Browser, options: BrowserContextOptions = { viewport: viewports.desktop }): Promise<Page> {
  const context = await browser.newContext(options)
  context.setDefaultTimeout(10_000)
  return context.newPage()
}

/**
 * Records what the browser says about the page: console errors and uncaught exceptions, and every
 * CSP violation (a blocked script would leave the page blank). Tests expect it to stay empty.
 */
export function watchForPageErrors(page: Page, problems: string[] = []): string[] {
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  page.on('console', (message) => {
    // A failed API call (401, 412, 400...) is logged by the browser itself and is part of the tests.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(`console: ${message.text()}`)
  })
  return problems
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true })
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true })
}
