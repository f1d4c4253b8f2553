import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig } from '../../app/config'
import type { HttpResult } from '../../app/lambda/events'
import { testSecret } from '../helpers/app'
import { httpApiEvent } from '../helpers/events'
import { signToken } from '../helpers/tokens'
import { bodyBytes, buildWithMounts, root, runShippedBundle, shipToEmptyFolder, type BundleRun } from './shipped-bundle'

/**
 * Server-rendered Express 4 apps (test/packaging/fixtures), each a package of its own, mounted and built
 * by the real build, which ships them as files beside the bundle with their dependencies, then run from
 * an empty folder holding only what the function's zip holds: their view engines (ejs, pug,
 * express-handlebars), views, layouts, partials and static files work there, their `module.parent` /
 * `require.main` guards start no server, and controllers listed with readdirSync load, by a literal
 * folder or by a computed path. What would not load there fails the build, naming the file and line.
 */
const fixtures = '../../test/packaging/fixtures'
const mountsSource = `
import { mount, type Mount } from './mount'
import ejsShop from '${fixtures}/ejs-shop/app'
import pugPages from '${fixtures}/pug-pages/index'
import hbsBlog from '${fixtures}/hbs-blog/app'
import controllers from '${fixtures}/controllers-app/app'
import computed from '${fixtures}/computed-require/app'

export const mounts: Mount[] = [
  mount('/shop', ejsShop),
  mount('/pages', pugPages),
  mount('/blog', hbsBlog),
  mount('/admin', controllers),
  mount('/computed', computed),
]
`

let outdir: string
let task: string
let run: BundleRun
const token = signToken(loadConfig({ JWT_SECRET: testSecret }), { sub: 'user-ada', email: 'ada@example.com' })
const paths = [
  '/shop/',
  '/shop/style.css',
  '/shop/img/logo.png',
  '/shop/where',
  '/pages',
  '/blog',
  '/admin/users',
  '/admin/orders',
  '/computed/users',
]
const answer = (p: string): HttpResult => run.results[paths.indexOf(p)]

beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), 'notes-existing-build-'))
  const built = buildWithMounts(outdir, mountsSource)
  if (!built.ok) throw new Error(`build failed: ${built.stderr}`)
  task = shipToEmptyFolder(outdir)
  const events = paths.map((p) => httpApiEvent({ method: 'GET', path: p, headers: { Authorization: `Bearer ${token}` } }))
  run = await runShippedBundle(task, events)
  if (run.results.length !== paths.length) throw new Error(`the bundle answered ${run.results.length} of ${paths.length}:\n${run.stderr}`)
}, 180_000)

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true })
  rmSync(task, { recursive: true, force: true })
})

describe('mounted server-rendered apps, run from the shipped bundle in an empty folder', () => {
  it('renders ejs views with their partials', () => {
    const page = answer('/shop/')

    expect(page.statusCode).toBe(200)
    expect(page.headers?.['content-type']).toMatch(/^text\/html/)
    expect(page.body).toContain('<h1 class="ejs-title">Shop</h1>')
    expect(page.body).toContain('<li>apples</li><li>pears</li>')
  })

  it('renders pug views that extend a layout, from a folder named by string concatenation', () => {
    expect(answer('/pages').statusCode).toBe(200)
    expect(answer('/pages').body).toBe('<!DOCTYPE html><html><body><p class="pug-greeting">Hello from pug</p></body></html>')
  })

  it('renders express-handlebars views with the default layout and a partial', () => {
    expect(answer('/blog').statusCode).toBe(200)
    expect(answer('/blog').body).toContain('<!doctype html><html><body><ol><li class="hbs-post">First post</li>')
  })

  it('serves the static files beside the app, an image byte for byte', () => {
    const png = readFileSync(path.join(root, 'test/packaging/fixtures/ejs-shop/public/img/logo.png'))

    expect(answer('/shop/style.css').body).toBe('h1 { color: teal; }\n')
    expect(answer('/shop/img/logo.png').headers?.['content-type']).toBe('image/png')
    expect(bodyBytes(answer('/shop/img/logo.png')).equals(png)).toBe(true)
  })

  it('gives __dirname and __filename the app’s place in the shipped files, as in the source tree', () => {
    const where = JSON.parse(answer('/shop/where').body)

    expect(where).toEqual({
      dirname: path.join(task, 'dist/lambda.files/test/packaging/fixtures/ejs-shop'),
      filename: path.join(task, 'dist/lambda.files/test/packaging/fixtures/ejs-shop/app.js'),
    })
  })

  it('loads controllers listed with readdirSync, required with a literal folder in front or by a computed path', () => {
    expect(JSON.parse(answer('/admin/users').body)).toEqual({ controller: 'users' })
    expect(JSON.parse(answer('/admin/orders').body)).toEqual({ controller: 'orders' })
    expect(JSON.parse(answer('/computed/users').body)).toEqual({ controller: 'users' })
  })

  it('starts no server from `if (!module.parent)` or `if (require.main === module)`', () => {
    expect(run.activeResources).not.toContain('TCPServerWrap')
    expect(run.stderr).not.toMatch(/EADDRINUSE|listen/)
  })
})

/** Builds the api bundle with one fixture mounted at /x, into a folder of its own; the build's outcome. */
function buildWith(fixture: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'notes-fixture-build-'))
  try {
    return buildWithMounts(
      dir,
      `import { mount, type Mount } from './mount'\nimport app from '${fixtures}/${fixture}/app'\nexport const mounts: Mount[] = [mount('/x', app)]\n`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('the build', () => {
  it('ships the mounted packages as they are, beside the bundle, with their dependencies and nothing of theirs inside it', () => {
    const inputs = Object.keys(JSON.parse(readFileSync(path.join(outdir, 'lambda.meta.json'), 'utf8')).inputs).join('\n')
    const shipped = path.join(outdir, 'lambda.files')

    expect(inputs).not.toMatch(/node_modules\/(ejs|pug|express-handlebars|express4)\/|test\/packaging\/fixtures/)
    for (const file of ['test/packaging/fixtures/ejs-shop/app.js', 'test/packaging/fixtures/ejs-shop/package.json'])
      expect(readFileSync(path.join(shipped, file), 'utf8')).toBe(readFileSync(path.join(root, file), 'utf8'))
    for (const pkg of ['ejs', 'pug', 'express-handlebars', 'express4'])
      expect(JSON.parse(readFileSync(path.join(shipped, 'node_modules', pkg, 'package.json'), 'utf8')).name).toBe(
        pkg === 'express4' ? 'express' : pkg,
      )
    // Dependencies of the project that no mounted package names stay out.
    expect(existsSync(path.join(shipped, 'node_modules/jsonwebtoken'))).toBe(false)
  })

  it('without mounts, holds no code of app/existing and ships no files', () => {
    const plain = mkdtempSync(path.join(tmpdir(), 'notes-plain-build-'))
    try {
      const built = buildWithMounts(plain, `import type { Mount } from './mount'\nexport const mounts: Mount[] = []\n`)
      expect(built).toEqual({ ok: true, stderr: '' })
      const inputs = Object.keys(JSON.parse(readFileSync(path.join(plain, 'lambda.meta.json'), 'utf8')).inputs)
      // The empty list itself, and nothing it would bring.
      expect(inputs.filter((input) => input.includes('app/existing/'))).toEqual(['app/existing/mounts.ts'])
      expect(existsSync(path.join(plain, 'lambda.files'))).toBe(false)
      expect(JSON.parse(readFileSync(path.join(plain, 'site.json'), 'utf8'))).toEqual({
        function: ['/api', '/auth', '/health', '/openapi.json'],
        spaBase: '/',
        streamed: ['/api/notes/export'],
      })
    } finally {
      rmSync(plain, { recursive: true, force: true })
    }
  }, 120_000)

  it('writes the paths the function answers, the mounts’ with the app’s own, to site.json', () => {
    expect(JSON.parse(readFileSync(path.join(outdir, 'site.json'), 'utf8'))).toEqual({
      function: ['/api', '/auth', '/health', '/openapi.json', '/shop', '/pages', '/blog', '/admin', '/computed'],
      spaBase: '/',
      streamed: ['/api/notes/export'],
    })
  })

  it.each([
    [
      'requires a package its package.json does not list',
      'undeclared-package',
      'test/packaging/fixtures/undeclared-package/app.js:4: requires "method-override", which test/packaging/fixtures/undeclared-package/package.json does not list in its dependencies',
    ],
    [
      'requires a project file outside its package',
      'outside-file',
      'test/packaging/fixtures/outside-file/app.js:3: requires test/packaging/fixtures/ejs-shop/app.js, outside its package test/packaging/fixtures/outside-file',
    ],
    [
      'names a dependency that is not installed',
      'uninstalled-engine',
      'test/packaging/fixtures/uninstalled-engine/package.json:6: "nunjucks" is a dependency, but it is not installed',
    ],
    [
      'reads a file outside its package as it loads',
      'reads-outside',
      "test/packaging/fixtures/reads-outside/app.js:6: Error: ENOENT: no such file or directory, open '",
    ],
  ])(
    'fails, naming the file and line, when a mounted app %s',
    (_what, fixture, message) => {
      const built = buildWith(fixture)

      expect(built.ok).toBe(false)
      expect(built.stderr).toContain(message)
    },
    120_000,
  )
})
