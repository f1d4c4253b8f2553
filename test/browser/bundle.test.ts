import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { ensureSpaBuilt, publicDir } from './support/spa-build'

jest.setTimeout(120_000)

/**
 * Vue and its router, gzipped, are about 40 KB, the app's own code (sign-in shared across tabs,
 * drafts, the devices and password pages) about 25 KB; anything heavy added to the SPA shows here first.
 */
const jsBudgetGzipBytes = 70_000

describe('SPA build in public/', () => {
  let html: string
  let assets: string[]

  beforeAll(async () => {
    await ensureSpaBuilt()
    html = readFileSync(path.join(publicDir, 'index.html'), 'utf8')
    assets = readdirSync(path.join(publicDir, 'assets'))
  })

  test('When built, index.html loads hashed bundles only, with no inline script or style the CSP would refuse', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]

    expect(scripts.length).toBeGreaterThan(0)
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/assets\/[\w-]+-[\w-]{8}\.js"/)
      expect(body.trim()).toBe('')
    }
    expect(html).not.toMatch(/<style\b|\sstyle=|\son\w+=/i)
    expect(assets.filter((file) => file.endsWith('.js')).length).toBeGreaterThan(0)
  })

  test('When built, the JavaScript is a production build within its size budget', () => {
    const js = assets.filter((file) => file.endsWith('.js')).map((file) => readFileSync(path.join(publicDir, 'assets', file)))
    const gzipped = js.reduce((total, code) => total + gzipSync(code).length, 0)

    expect(gzipped).toBeLessThan(jsBudgetGzipBytes)
    // Vue's development build freezes its shared empty object; the production build does not.
    expect(js.some((code) => code.includes('Object.freeze({})'))).toBe(false)
  })
})
