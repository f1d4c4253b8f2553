import type { Page } from 'playwright-core'

export const password = 'correct horse battery'

/** Registers through the register screen and waits for the notes list. */
export async function registerThroughUi(page: Page, baseUrl: string, email: string): Promise<void> {
  await page.goto(`${baseUrl}/register`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Register' }).click()
  await page.getByRole('heading', { name: 'Notes', level: 1 }).waitFor()
}

/** Signs in on the sign-in screen the page is on, and waits to leave it. */
export async function signInThroughUi(page: Page, email: string, pass = password): Promise<void> {
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(pass)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => url.pathname !== '/sign-in')
}

/** Fills the note editor the page is on. */
export async function fillNote(page: Page, note: { title?: string; body?: string; tags?: string }): Promise<void> {
  if (note.title !== undefined) await page.getByLabel('Title', { exact: true }).fill(note.title)
  if (note.body !== undefined) await page.getByLabel('Text', { exact: true }).fill(note.body)
  if (note.tags !== undefined) await page.getByLabel('Tags', { exact: true }).fill(note.tags)
}

/** Creates a note from the notes list and waits until the list shows it. */
export async function createNoteThroughUi(page: Page, note: { title: string; body?: string; tags?: string }): Promise<void> {
  await page.getByRole('link', { name: 'New note' }).click()
  await page.getByRole('heading', { name: 'New note', level: 1 }).waitFor()
  await fillNote(page, note)
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByRole('link', { name: note.title, exact: true }).waitFor()
}

/** The titles the current list shows, in order. */
export function listedTitles(page: Page): Promise<string[]> {
  return page.locator('.notes .note-title').allInnerTexts()
}

/** Polls `read` until it returns `expected` (compared as JSON), or fails with the last value. */
export async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: T
  for (;;) {
    last = await read()
    if (JSON.stringify(last) === JSON.stringify(expected)) return
    if (Date.now() > deadline) throw new Error(`Expected ${JSON.stringify(expected)}, still got ${JSON.stringify(last)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The text of the page's alert (role="alert"), once one shows. */
export async function alertText(page: Page): Promise<string> {
  const alert = page.getByRole('alert')
  await alert.waitFor()
  return alert.innerText()
}
