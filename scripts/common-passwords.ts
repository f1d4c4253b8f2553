/**
 * `npx tsx scripts/common-passwords.ts`: writes app/auth/common-passwords.json, the common passwords a new
 * password may not be. They come from `@zxcvbn-ts/language-common` (49,233 passwords, the list zxcvbn-ts
 * scores against), lower-cased, and only those the length rule lets through: the rest, 99% of the list,
 * are refused as too short already. With `--print` it writes the list to stdout instead:
 * test/common-passwords.test.ts compares that with the committed file.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { passwordLength } from '../app/auth/password-policy'

const listFile = path.resolve(__dirname, '../app/auth/common-passwords.json')

function commonPasswords(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package ships the list as CommonJS only
  const all = require('@zxcvbn-ts/language-common/dist/passwords.json.cjs') as string[]
  const long = new Set(all.filter((password) => password.length >= passwordLength.min).map((password) => password.toLowerCase()))
  return JSON.stringify([...long].sort(), null, 2) + '\n'
}

if (process.argv.includes('--print')) {
  process.stdout.write(commonPasswords())
} else {
  writeFileSync(listFile, commonPasswords())
  console.log(`wrote ${path.relative(process.cwd(), listFile)}`)
}
