import { readFileSync } from 'node:fs'
import path from 'node:path'
import { isCommonPassword } from '../app/auth/password-policy'
import { printedBy } from './helpers/generated'

const root = path.resolve(__dirname, '..')

describe('the common-passwords list (app/auth/common-passwords.json)', () => {
  it('is what scripts/common-passwords.ts makes of the package’s list at the current minimum length', () => {
    expect(readFileSync(path.join(root, 'app/auth/common-passwords.json'), 'utf8')).toBe(printedBy('scripts/common-passwords.ts'))
  })

  it('refuses a listed password in any letter case, and a long password that is not listed passes', () => {
    expect(isCommonPassword('qwerty123456')).toBe(true)
    expect(isCommonPassword('QWERTY123456')).toBe(true)
    expect(isCommonPassword('1qaz2wsx3edc')).toBe(true)
    expect(isCommonPassword('correct horse battery staple')).toBe(false)
  })
})
