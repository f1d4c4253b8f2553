// Builds web/ into public/ with Vite's JS API. Run as its own process: Jest's module sandbox
// cannot load Vite, which is an ES module.
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

// At `/`, whatever dist/site.json a packaging test has left: the browser suites serve the SPA there.
await build({ configFile: fileURLToPath(new URL('../../../web/vite.config.ts', import.meta.url)), logLevel: 'warn', base: '/' })
