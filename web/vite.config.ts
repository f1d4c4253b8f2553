import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

const webDir = fileURLToPath(new URL('.', import.meta.url))

/**
 * Builds web/ into public/ at the repository root: `npm run build:web`.
 * `VITE_API_URL` (read from the environment at build time) is the API's base URL; unset means the
 * page's own origin, as when the dev server or one CloudFront distribution serves both.
 */
export default defineConfig({
  root: webDir,
  base: '/', // absolute asset URLs, so deep links such as /notes/abc load the same bundles
  envDir: webDir,
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('../public', import.meta.url)),
    emptyOutDir: true,
    // No inline scripts or styles: the page must run under a CSP of script-src 'self'.
    assetsInlineLimit: 0,
    // Keeps the built page free of inline scripts; browsers of this app's era all support modules.
    modulePreload: { polyfill: false },
  },
})
