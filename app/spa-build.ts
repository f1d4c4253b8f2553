import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

/** Where the SPA's sources are and where its build goes, from the project root. */
export function spaPaths(root: string) {
  const webDir = path.join(root, 'web')
  const publicDir = path.join(root, 'public')
  return { webDir, publicDir, viteConfig: path.join(webDir, 'vite.config.ts'), builtIndex: path.join(publicDir, 'index.html') }
}

/** True when public/ holds a build for the SPA at `base` (its scripts under `<base>assets/`) at least as new as every file under web/. */
export function spaIsFresh(root: string, base = '/'): boolean {
  const { webDir, builtIndex } = spaPaths(root)
  return (
    existsSync(builtIndex) &&
    newestMtime(webDir) <= statSync(builtIndex).mtimeMs &&
    readFileSync(builtIndex, 'utf8').includes(`src="${base}assets/`)
  )
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
    const full = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs)
  }
  return newest
}
