import { readFileSync } from 'node:fs'
import path from 'node:path'
import { printedBy } from './helpers/generated'

const root = path.resolve(__dirname, '..')

describe('the SPA’s API types (web/src/api/schema.d.ts)', () => {
  it('are what openapi-typescript makes of the current OpenAPI document (if not: npm run openapi:types)', () => {
    expect(readFileSync(path.join(root, 'web/src/api/schema.d.ts'), 'utf8')).toBe(printedBy('scripts/openapi-types.ts'))
  })
})
