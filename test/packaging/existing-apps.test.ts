import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig } from '../../app/config'
import type { HttpResult } from '../../app/lambda/events'
import { testSecret } from '../helpers/app'
import { httpApiEvent } from '../helpers/events'
import { signToken } from '../helpers/tokens'
import { bodyBytes, buildWithMounts, root, runShippedBundle, shipToEmptyFolder, type BundleRun } from './shipped-bundle'

/**
 * Server-rendered Express 4 apps (test/packaging/fixtures), mounted and built into the Lambda bundle by
 * the real build, then run from an empty folder holding only what the function's zip holds: their view
 * engines (ejs, pug, express-handlebars), views, layouts, partials and static files work there, their
 * `module.parent` / `require.main` guards start no server, and controllers listed with readdirSync load.
 */
const fixtures = '../../test/packaging/fixtures'
const mountsSource = `
import { mount, type Mount } from './mount'
import ejsShop from '${fixtures}/ejs-shop/app'
import pugPages from '${fixtures}/pug-pages/index'
import hbsBlog from '${fixtures}/hbs-blog/app'
import controllers from '${fixtures}/controllers-app/app'

export const mounts: Mount[] = [mount('/shop', ejsShop), mount('/pages', pugPages), mount('/blog', hbsBlog), mount('/admin', controllers)]
`

let outdir: string
let task: string
let run: BundleRun
const token = signToken(loadConfig({ JWT_SECRET: testSecret }), { sub: 'user-ada', email: 'ada@example.com' })
const paths = ['/shop/', '/shop/style.css', '/shop/img/logo.png', '/shop/where', '/pages', '/blog', '/admin/users', '/admin/orders']
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

  it('loads controllers listed with readdirSync and required with a literal folder in front', () => {
    expect(JSON.parse(answer('/admin/users').body)).toEqual({ controller: 'users' })
    expect(JSON.parse(answer('/admin/orders').body)).toEqual({ controller: 'orders' })
  })

  it('starts no server from `if (!module.parent)` or `if (require.main === module)`', () => {
    expect(run.activeResources).not.toContain('TCPServerWrap')
    expect(run.stderr).not.toMatch(/EADDRINUSE|listen/)
  })
})

describe('the build', () => {
  it('puts only the view engines the bundled apps use into the bundle', () => {
    const inputs = (file: string) => Object.keys(JSON.parse(readFileSync(file, 'utf8')).inputs).join('\n')
    const withApps = inputs(path.join(outdir, 'lambda.meta.json'))

    expect(withApps).toMatch(/node_modules\/ejs\//)
    expect(withApps).toMatch(/node_modules\/pug\//)
    expect(withApps).toMatch(/node_modules\/express-handlebars\//)

    const plain = mkdtempSync(path.join(tmpdir(), 'notes-plain-build-'))
    try {
      const built = buildWithMounts(plain, `import type { Mount } from './mount'\nexport const mounts: Mount[] = []\n`)
      expect(built).toEqual({ ok: true, stderr: '' })
      expect(inputs(path.join(plain, 'lambda.meta.json'))).not.toMatch(/node_modules\/(ejs|pug|handlebars|express-handlebars)\//)
    } finally {
      rmSync(plain, { recursive: true, force: true })
    }
  }, 120_000)

  it('fails, saying what to change, when an app requires files by a path computed at run time', () => {
    const failing = mkdtempSync(path.join(tmpdir(), 'notes-failing-build-'))
    try {
      const built = buildWithMounts(
        failing,
        `import { mount, type Mount } from './mount'\nimport app from '${fixtures}/computed-require/app'\nexport const mounts: Mount[] = [mount('/x', app)]\n`,
      )

      expect(built.ok).toBe(false)
      expect(built.stderr).toContain('test/packaging/fixtures/computed-require/app.js:9: require(path.join(dir, file))(app)')
      expect(built.stderr).toContain("require('./controllers/' + file) instead of require(path.join(dir, file))")
    } finally {
      rmSync(failing, { recursive: true, force: true })
    }
  }, 120_000)

  it('fails when an app sets a view engine that is not installed', () => {
    const failing = mkdtempSync(path.join(tmpdir(), 'notes-failing-build-'))
    try {
      const built = buildWithMounts(
        failing,
        `import { mount, type Mount } from './mount'\nimport app from '${fixtures}/uninstalled-engine/app'\nexport const mounts: Mount[] = [mount('/x', app)]\n`,
      )

      expect(built.ok).toBe(false)
      expect(built.stderr).toContain(
        'test/packaging/fixtures/uninstalled-engine/app.js renders nunjucks views, but the package "nunjucks" is not installed',
      )
    } finally {
      rmSync(failing, { recursive: true, force: true })
    }
  }, 120_000)
})
