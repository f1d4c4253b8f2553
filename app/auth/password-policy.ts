/** OWASP ASVS 4.0.3 section 2.1: at least 12 characters, at most 128, no composition rules. */
export const passwordLength = { min: 12, max: 128 }

let common: Set<string> | undefined

/**
 * The most common passwords (49,233 of them, from `@zxcvbn-ts/language-common`, the list zxcvbn-ts
 * scores against), loaded by the first registration or password change, never at start: the list
 * is ~380 KB of code to run, which a cold start answering anything else should not pay for.
 * Entries shorter than the minimum are dropped, as the length rule already refuses them.
 */
function commonPasswords(): Set<string> {
  if (!common) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, on purpose (see above)
    const list = require('@zxcvbn-ts/language-common/dist/passwords.json.cjs') as string[]
    common = new Set(list.filter((password) => password.length >= passwordLength.min).map((password) => password.toLowerCase()))
  }
  return common
}

/** True when the password, in any letter case, is on the common-passwords list. */
export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase())
}
