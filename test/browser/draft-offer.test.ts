import type { Page } from 'playwright-core'
import { accessibilityProblems } from './support/axe'
import { describeInBrowser, screenshot } from './support/browser'
import { useBrowserSuite, type BrowserSuite } from './support/suite'
import { eventually, fillNote, listedTitles } from './support/ui'

jest.setTimeout(120_000)

/** How a control looks: its colours as drawn (opacity blended in) and the contrast between them. */
interface Look {
  background: string
  color: string
  cursor: string
  contrast: number
}

function lookOf(page: Page, selector: string): Promise<Look> {
  return page.evaluate<Look>(`(() => {
    const parse = (value) => (value.match(/[\\d.]+/g) ?? ['0', '0', '0', '0']).map(Number)
    const el = document.querySelector(${JSON.stringify(selector)})
    // What is under the control: the nearest ancestor with a background of its own.
    let under = [255, 255, 255]
    for (let node = el.parentElement; node; node = node.parentElement) {
      const [r, g, b, a = 1] = parse(getComputedStyle(node).backgroundColor)
      if (a > 0) { under = [r, g, b]; break }
    }
    const style = getComputedStyle(el)
    let opacity = 1
    for (let node = el; node; node = node.parentElement) opacity *= Number(getComputedStyle(node).opacity)
    const [br, bg, bb, ba = 1] = parse(style.backgroundColor)
    const back = [br, bg, bb].map((c, i) => c * ba + under[i] * (1 - ba))
    const drawn = (rgb) => rgb.map((c, i) => Math.round(c * opacity + under[i] * (1 - opacity)))
    const fore = drawn(parse(style.color).slice(0, 3))
    const backDrawn = drawn(back)
    const luminance = (rgb) => {
      const [r, g, b] = rgb.map((c) => { const s = c / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4 })
      return 0.2126 * r + 0.7152 * g + 0.0722 * b
    }
    const [light, dark] = [luminance(fore), luminance(backDrawn)].sort((a, b) => b - a)
    return {
      background: 'rgb(' + backDrawn.join(', ') + ')',
      color: 'rgb(' + fore.join(', ') + ')',
      cursor: style.cursor,
      contrast: Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100,
    }
  })()`)
}

/**
 * The editor's unsaved-changes flow: Cancel on a new note throws its text away (as a person expects
 * of Cancel), and while an earlier draft is offered back the fields it would replace are disabled,
 * look it, and stay readable (WCAG AA contrast), checked with axe-core.
 */
describeInBrowser('SPA: drafts in the editor', () => {
  let person: BrowserSuite['person']
  useBrowserSuite({}, (suite) => ({ person } = suite))

  test('When Cancel is pressed on a new note, its text is discarded: no unsaved-changes notice, and New note starts empty', async () => {
    const { page } = await person()
    await page.getByRole('link', { name: 'New note' }).click()
    await fillNote(page, { title: 'Never mind', body: 'Changed my mind' })
    await page.getByRole('link', { name: 'Cancel' }).click()
    await page.getByText('No notes yet.').waitFor()

    expect(await page.getByRole('region', { name: 'Unsaved changes' }).count()).toBe(0)
    await page.getByRole('link', { name: 'New note' }).click()
    await page.getByRole('heading', { name: 'New note', level: 1 }).waitFor()
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('')
    expect(await page.getByText('You have unsaved changes').count()).toBe(0)
  })

  test('When an earlier draft is offered, the waiting fields and Save look disabled, Save stays readable, and axe finds nothing', async () => {
    const { page } = await person({ notes: ['Half done'] })
    await page.getByRole('link', { name: 'Half done' }).click()
    await fillNote(page, { body: 'More than before' })
    await page.getByRole('link', { name: 'Cancel' }).click()
    await page.getByRole('region', { name: 'Unsaved changes' }).getByRole('link', { name: 'Half done' }).click()
    await page.getByRole('button', { name: 'Restore my changes' }).waitFor()

    const waiting = { title: await lookOf(page, '#title'), save: await lookOf(page, '.form-actions button[type=submit]') }
    expect(await page.getByLabel('Title', { exact: true }).isDisabled()).toBe(true)
    expect(waiting.save.contrast).toBeGreaterThanOrEqual(4.5)
    expect(waiting.title.contrast).toBeGreaterThanOrEqual(4.5)
    expect(await accessibilityProblems(page)).toEqual([])
    await screenshot(page, 'draft-offer-desktop')

    await page.getByRole('button', { name: 'Discard them' }).click()
    const ready = { title: await lookOf(page, '#title'), save: await lookOf(page, '.form-actions button[type=submit]') }
    expect(waiting.title.background).not.toBe(ready.title.background)
    expect(waiting.title.cursor).toBe('not-allowed')
    expect(waiting.save.background).not.toBe(ready.save.background)
    expect(waiting.save.cursor).toBe('not-allowed')
    await page.getByRole('link', { name: 'Cancel' }).click()
    await eventually(() => listedTitles(page), ['Half done'])
  })
})
