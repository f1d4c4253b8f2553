import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig, type Plugin } from 'vite'

const webDir = fileURLToPath(new URL('.', import.meta.url))
const outDir = fileURLToPath(new URL('../public', import.meta.url))
/** Static files of the SPA (robots.txt, icons, images): Vite copies them into public/ on every build. */
const publicDir = path.join(webDir, 'public')

/**
 * Where the SPA lives: `/`, or `/app/` when a mounted app holds `/` (app/http/site-paths.ts). The
 * Lambda build writes it to dist/site.json (`npm run build` builds the bundles first); `SPA_BASE` overrides.
 */
function spaBase(): string {
  const site = fileURLToPath(new URL('../dist/site.json', import.meta.url))
  if (process.env.SPA_BASE) return process.env.SPA_BASE
  return existsSync(site) ? (JSON.parse(readFileSync(site, 'utf8')) as { spaBase: string }).spaBase : '/'
}

/**
 * Instead of emptying public/: removes what an earlier build wrote there (index.html, assets/ and
 * the copies of web/public/), and keeps any other file, saying where it belongs. A file put in
 * public/ by hand survives the build, but only web/public/ is the SPA's source of static files.
 */
function replacePreviousBuild(): Plugin {
  return {
    name: 'replace-previous-build',
    apply: 'build',
    buildStart() {
      if (!existsSync(outDir)) return
      const fromBuild = new Set(['index.html', 'assets', ...(existsSync(publicDir) ? readdirSync(publicDir) : [])])
      const kept: string[] = []
      for (const entry of readdirSync(outDir)) {
        if (fromBuild.has(entry)) rmSync(path.join(outDir, entry), { recursive: true, force: true })
        else kept.push(entry)
      }
      if (kept.length > 0)
        this.warn(`public/ keeps ${kept.join(', ')}: not from the build. Move them to web/public/, which every build copies into public/.`)
    },
  }
}

/**
 * Builds web/ into public/ at the repository root: `npm run build:web`.
 * `VITE_API_URL` (read from the environment at build time) is the API's base URL; unset means the
 * page's own origin, as when the dev server or one CloudFront distribution serves both.
 */
export default defineConfig({
  root: webDir,
  base: spaBase(), // absolute asset URLs, so deep links such as /notes/abc load the same bundles
  envDir: webDir,
  publicDir,
  plugins: [vue(), replacePreviousBuild()],
  build: {
    outDir,
    // public/ is replaced file by file (replacePreviousBuild above), so nothing put there by hand is lost.
    emptyOutDir: false,
    // No inline scripts or styles: the page must run under a CSP of script-src 'self'.
    assetsInlineLimit: 0,
    // Keeps the built page free of inline scripts; browsers of this app's era all support modules.
    modulePreload: { polyfill: false },
  },
})
