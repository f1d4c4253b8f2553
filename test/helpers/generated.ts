import { execFileSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(__dirname, '../..')

/**
 * What a generator script prints with `--print`, run as npm runs it (with tsx), to compare with the file
 * it writes: a committed generated file that no longer matches is stale. Some generators are ES
 * modules that jest's CommonJS runtime cannot load, hence a process of their own.
 * @example expect(readFileSync(file, 'utf8')).toBe(printedBy('scripts/openapi-types.ts'))
 */
export function printedBy(script: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', script, '--print'], { cwd: root, encoding: 'utf8' })
}
