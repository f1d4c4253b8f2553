import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(__dirname, '..')

describe('the SPA’s API types (web/src/api/schema.d.ts)', () => {
  it('are what openapi-typescript makes of the current OpenAPI document (if not: npm run openapi:types)', () => {
    // openapi-typescript is an ES module that jest's CommonJS runtime cannot load: run the script as npm does.
    const generated = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/openapi-types.ts', '--print'], {
      cwd: root,
      encoding: 'utf8',
    })

    expect(readFileSync(path.join(root, 'web/src/api/schema.d.ts'), 'utf8')).toBe(generated)
  })
})
