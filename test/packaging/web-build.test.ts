import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/**
 * `npm run build:web` replaces what the previous build wrote to public/ and keeps any other file there,
 * saying that it belongs in web/public/ (which Vite copies into public/ on every build).
 */
const root = path.resolve(__dirname, '../..')
const publicDir = path.join(root, 'public')
const handmade = path.join(publicDir, `handmade-${process.pid}.txt`)
const staticFile = path.join(root, 'web/public', `static-${process.pid}.txt`)
let output: string

beforeAll(() => {
  mkdirSync(publicDir, { recursive: true })
  mkdirSync(path.dirname(staticFile), { recursive: true })
  writeFileSync(handmade, 'put here by hand\n')
  writeFileSync(staticFile, 'from web/public\n')
  // Jest sets NODE_ENV=test, which would make Vite bundle Vue's development build into the real public/.
  const env = { ...process.env, NODE_ENV: 'production' }
  const build = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], { cwd: root, encoding: 'utf8', env })
  output = build.stdout + build.stderr
  if (build.status !== 0) throw new Error(`vite build failed:\n${output}`)
}, 180_000)

afterAll(() => {
  rmSync(handmade, { force: true })
  rmSync(path.join(publicDir, path.basename(staticFile)), { force: true })
  rmSync(staticFile, { force: true })
  if (readdirSync(path.dirname(staticFile)).length === 0) rmSync(path.dirname(staticFile), { recursive: true })
})

describe('npm run build:web', () => {
  it('keeps a file someone put in public/, and says it belongs in web/public/', () => {
    expect(readFileSync(handmade, 'utf8')).toBe('put here by hand\n')
    expect(output).toContain(`public/ keeps`)
    expect(output).toMatch(new RegExp(`handmade-${process.pid}\\.txt.*not from the build\\. Move them to web/public/`))
  })

  it('copies web/public/ into public/ and writes the SPA', () => {
    expect(readFileSync(path.join(publicDir, path.basename(staticFile)), 'utf8')).toBe('from web/public\n')
    expect(existsSync(path.join(publicDir, 'index.html'))).toBe(true)
  })

  it('replaces the previous build’s assets rather than adding to them', () => {
    const scripts = readdirSync(path.join(publicDir, 'assets')).filter((f) => f.endsWith('.js'))

    expect(scripts).toHaveLength(1)
  })
})
