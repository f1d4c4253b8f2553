import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'

/** The people of examples/members/users.json, with their passwords: Ada's hash is bcrypt, Charles's PBKDF2. */
export const members = {
  ada: { username: 'ada', password: 'analytical engine', name: 'Ada Lovelace' },
  charles: { username: 'charles', password: 'difference engine', name: 'Charles Babbage' },
}

/** The user table of the example, as scripts/import-users.ts reads it. */
export const membersUserTable = path.resolve(__dirname, '../../examples/members/users.json')

const picture = readFileSync(path.resolve(__dirname, '../../examples/members/public/logo.png'))

/**
 * A person's walk through the members' site (examples/members/app.js) mounted at `/` of `baseUrl`,
 * as a browser navigates it: sent to the site's own login form, signs in there (the flash greets
 * them), edits the profile through the method-override form, uploads a picture and sees it, signs
 * out and is sent to the login form again. Throws at the first step that does not happen; the
 * same walk serves the dev server and the packaged function behind `npm run offline`.
 */
export async function walkMembersSite(page: Page, baseUrl: string, who = members.ada): Promise<void> {
  const bio = `Walked at ${new Date().toISOString()}`

  await page.goto(`${baseUrl}/account`)
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
  expectPath(page, '/login')
  const styled = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor')
  expectEqual(styled, 'rgb(244, 241, 234)', 'the stylesheet /style.css applies')
  await waitForImage(page, 'header img', 'the logo /logo.png loads')

  await page.getByLabel('Username').fill(who.username)
  await page.getByLabel('Password').fill('not the password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor()

  await page.getByLabel('Username').fill(who.username)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page
    .getByRole('status')
    .filter({ hasText: `Welcome back, ${who.name}` })
    .waitFor()
  expectPath(page, '/account')
  await page.getByText(`Signed in as ${who.name}`).waitFor()

  await page.reload()
  await page.getByRole('heading', { name: who.name, level: 1 }).waitFor()
  expectEqual(await page.getByRole('status').count(), 0, 'a flash message shows once')

  await page.getByRole('link', { name: 'Edit your profile' }).click()
  await page.getByLabel('Bio').fill(bio)
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByRole('status').filter({ hasText: 'Profile saved' }).waitFor()
  expectPath(page, '/account')
  await page.getByText(bio).waitFor()

  await page.getByLabel(/^Picture/).setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: picture })
  await page.getByRole('button', { name: 'Upload' }).click()
  await page.getByRole('status').filter({ hasText: 'Picture uploaded' }).waitFor()
  await waitForImage(page, 'img.avatar', 'the uploaded picture shows')

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByRole('status').filter({ hasText: 'You are signed out' }).waitFor()
  expectPath(page, '/login')
  await page.goto(`${baseUrl}/account`)
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()
  expectPath(page, '/login')
}

/** What the check reads of an <img> (the project's TypeScript has no DOM types). */
interface ImageElement {
  complete: boolean
  naturalWidth: number
  addEventListener(event: 'load' | 'error', listener: () => void): void
}

async function waitForImage(page: Page, selector: string, what: string): Promise<void> {
  await page.locator(selector).waitFor()
  const width = await page.locator(selector).evaluate(
    (img: ImageElement) =>
      new Promise<number>((resolve) => {
        if (img.complete) return resolve(img.naturalWidth)
        img.addEventListener('load', () => resolve(img.naturalWidth))
        img.addEventListener('error', () => resolve(0))
      }),
  )
  if (width === 0) throw new Error(`Expected ${what}, but the image did not load`)
}

function expectPath(page: Page, pathname: string): void {
  expectEqual(new URL(page.url()).pathname, pathname, `the browser is on ${pathname}`)
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`Expected ${what}: got ${JSON.stringify(actual)}, wanted ${JSON.stringify(expected)}`)
}
