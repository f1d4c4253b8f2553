import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { spaIsFresh } from '../../../app/spa-build'

export const rootDir = path.resolve(__dirname, '../../..')
export const publicDir = path.join(rootDir, 'public')
// Outside public/, which the build empties.
const lockDir = path.join(rootDir, 'test-results', '.spa-build.lock')
const staleLockMs = 120_000

/**
 * Builds the SPA into public/ when it is missing or older than any file under web/. Test files run
 * in parallel workers, so one builds while the others wait on a lock directory, then find it fresh.
 */
export async function ensureSpaBuilt(): Promise<void> {
  if (spaIsFresh(rootDir)) return
  await withLock(() => {
    if (spaIsFresh(rootDir)) return
    // Jest sets NODE_ENV=test, which would make Vite bundle Vue's development build.
    const env = { ...process.env, NODE_ENV: 'production' }
    execFileSync(process.execPath, [path.join(__dirname, 'build-spa.mjs')], { cwd: rootDir, env, stdio: 'inherit', timeout: 120_000 })
  })
}

async function withLock(work: () => void): Promise<void> {
  mkdirSync(path.dirname(lockDir), { recursive: true })
  for (;;) {
    try {
      mkdirSync(lockDir)
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      // A lock left by a killed run would block every later one.
      const lock = statSync(lockDir, { throwIfNoEntry: false })
      if (lock && Date.now() - lock.mtimeMs > staleLockMs) rmSync(lockDir, { recursive: true, force: true })
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  try {
    work()
  } finally {
    rmSync(lockDir, { recursive: true, force: true })
  }
}
