import commonPasswords from './common-passwords.json'

/** OWASP ASVS 4.0.3 section 2.1: at least 12 characters, at most 128, no composition rules. */
export const passwordLength = { min: 12, max: 128 }

/**
 * The common passwords at least `passwordLength.min` long, lower-cased: 308 of the 49,233 that
 * `@zxcvbn-ts/language-common` lists (the list zxcvbn-ts scores against); the length rule refuses the
 * others already. Written by scripts/common-passwords.ts, so the app ships 5 KB instead of the package's 371 KB.
 */
const common = new Set(commonPasswords)

/** True when the password, in any letter case, is on the common-passwords list. */
export function isCommonPassword(password: string): boolean {
  return common.has(password.toLowerCase())
}
