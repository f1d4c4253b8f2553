import { describeInBrowser, screenshot, viewports } from './support/browser'
import type { SpaServer } from './support/server'
import { useBrowserSuite, type BrowserSuite } from './support/suite'
import { eventually, fitsWidth, focused, listedTitles, password, uniqueEmail } from './support/ui'

jest.setTimeout(120_000)

describeInBrowser('SPA: on a phone, with the keyboard only', () => {
  let server: SpaServer
  let open: BrowserSuite['open']
  let person: BrowserSuite['person']
  const phone = { viewport: viewports.phone, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
  useBrowserSuite({ page: phone }, (suite) => ({ server, open, person } = suite))

  test('When tabbing through the register screen, every control is reached in order, labelled, with a visible focus ring', async () => {
    const page = await open()
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
    const page = await open()
    await page.goto(`${server.url}/register`)
    await page.getByLabel('Email').focus()
    await page.keyboard.type(uniqueEmail('phone'))
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
    // Enter in the title moves on to the text, as Tab does.
    await page.keyboard.press('Enter')
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
    const { page } = await person({ notes: ['Written on a phone'], context: phone })
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
    const { page } = await person({ context: phone })
    await page.getByRole('button', { name: 'Sign out' }).click()

    await page.getByText('You are signed out.').waitFor()
    expect(await fitsWidth(page)).toBe(true)
    await screenshot(page, 'sign-in-phone')
  })
})
