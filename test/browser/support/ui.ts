import type { Express } from 'express'
import type { Page } from 'playwright-core'
import request from 'supertest'

/** Long enough for the password policy (12 to 128 characters) and on no list of common ones. */
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
  await page.getByRole('button', { name: 'Save', exact: true }).click()
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

let emailCount = 0

/** An address no other test uses, so each test can register a person of its own. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now()}-${++emailCount}@example.com`
}

/** The `Authorization` header of a fresh sign-in of `email` through the API, to act as another device would. */
export async function apiAuth(app: Express, email: string): Promise<{ Authorization: string }> {
  const res = await request(app).post('/auth/login').send({ email, password })
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`)
  return { Authorization: `Bearer ${res.body.token}` }
}

/** What has keyboard focus, as a person would name it: `input:Email`, `button:Register`. */
export function focused(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const el = document.activeElement
    if (!el) return ''
    const label = el.id ? document.querySelector('label[for="' + el.id + '"]')?.textContent : null
    return el.tagName.toLowerCase() + ':' + (label ?? el.textContent ?? '').trim().replace(/\\s+/g, ' ')
  })()`)
}

/** True when nothing sticks out sideways: a phone never has to scroll the page horizontally. */
export function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')
}
