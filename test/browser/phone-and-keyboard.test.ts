import type { Page } from 'playwright-core'
import { describeInBrowser, screenshot, viewports } from './support/browser'
import type { SpaServer } from './support/server'
import { useBrowserSuite } from './support/suite'
import { eventually, listedTitles, password } from './support/ui'

jest.setTimeout(120_000)

// Page-side code is written as strings: this project's TypeScript has no DOM types.

/** What has keyboard focus, as a person would name it: `input:Email`, `button:Register`. */
function focused(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const el = document.activeElement
    if (!el) return ''
    const label = el.id ? document.querySelector('label[for="' + el.id + '"]')?.textContent : null
    return el.tagName.toLowerCase() + ':' + (label ?? el.textContent ?? '').trim()
  })()`)
}

/** True when nothing sticks out sideways: a phone never has to scroll the page horizontally. */
function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')
}

describeInBrowser('SPA: on a phone, with the keyboard only', () => {
  let server: SpaServer
  let page: Page
  const email = `phone-${Date.now()}@example.com`
  useBrowserSuite(
    { page: { viewport: viewports.phone, deviceScaleFactor: 2, isMobile: true, hasTouch: true } },
    (suite) => ({ server, page } = suite),
  )

  test('When tabbing through the register screen, every control is reached in order, labelled, with a visible focus ring', async () => {
    await page.goto(`${server.url}/register`)
    await page.getByRole('heading', { name: 'Create an account' }).waitFor()
    await screenshot(page, 'register-phone')

    const order: string[] = []
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab')
      order.push(await focused(page))
    }

    expect(order).toEqual(['a:Skip to content', 'a:Notes', 'input:Email', 'input:Password', 'button:Register'])
    const ring = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle')
    expect(ring).toBe('solid')
    expect(await fitsWidth(page)).toBe(true)
  })

  test('When registering and writing a note by keyboard, Enter submits and focus lands on each new page heading', async () => {
    await page.getByLabel('Email').focus()
    await page.keyboard.type(email)
    await page.keyboard.press('Tab')
    await page.keyboard.type(password)
    await page.keyboard.press('Enter')
    await page.getByText('No notes yet.').waitFor()
    await screenshot(page, 'notes-empty-phone')

    await page.getByRole('link', { name: 'New note' }).first().focus()
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'New note' }).waitFor()
    await eventually(() => focused(page), 'h1:New note')
    await page.keyboard.press('Tab')
    await page.keyboard.type('Written on a phone')
    await page.keyboard.press('Tab')
    await page.keyboard.type('Short lines read well on a small screen.')
    await page.keyboard.press('Tab')
    await page.keyboard.type('mobile, keyboard')
    expect(await fitsWidth(page)).toBe(true)
    await screenshot(page, 'note-edit-phone')
    await page.keyboard.press('Enter')

    await eventually(() => listedTitles(page), ['Written on a phone'])
    expect(await fitsWidth(page)).toBe(true)
    await screenshot(page, 'notes-list-phone')
  })

  test('When deleting and restoring by keyboard, the buttons answer Enter and Space', async () => {
    await page.getByRole('button', { name: 'Delete “Written on a phone”' }).focus()
    await page.keyboard.press('Enter')
    await page.getByText('No notes yet.').waitFor()

    await page.getByRole('link', { name: 'Trash' }).focus()
    await page.keyboard.press('Enter')
    await eventually(() => listedTitles(page), ['Written on a phone'])
    expect(await fitsWidth(page)).toBe(true)
    await screenshot(page, 'trash-phone')
    await page.getByRole('button', { name: 'Restore “Written on a phone”' }).focus()
    await page.keyboard.press('Space')

    await page.getByText('The trash is empty.').waitFor()
  })

  test('When signing out on a phone, the sign-in screen fits the screen', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click()

    await page.getByText('You are signed out.').waitFor()
    expect(await fitsWidth(page)).toBe(true)
    await screenshot(page, 'sign-in-phone')
  })
})
