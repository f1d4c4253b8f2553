import * as z from 'zod/mini'
import { builtOnFirstUse, meta } from '../http/zod'
import { isCommonPassword, passwordLength } from './password-policy'

// Each schema is built the first time it is needed (see builtOnFirstUse): a login builds `loginBody` alone.

const fields = builtOnFirstUse(() => {
  const lowerCase = z.transform((value: string) => value.toLowerCase())
  return {
    lowerCase,
    email: z.pipe(z.email({ error: 'Must be an email address' }).check(z.maxLength(254)), lowerCase),
    /** A new password (OWASP ASVS 4.0.3 section 2.1): 12 to 128 characters of any kind, and not a common one. */
    newPassword: z.string().check(
      z.minLength(passwordLength.min, `Must be at least ${passwordLength.min} characters`),
      z.maxLength(passwordLength.max, `Must be at most ${passwordLength.max} characters`),
      z.refine(
        (password) => password.length < passwordLength.min || !isCommonPassword(password),
        'This is one of the most commonly used passwords; choose another',
      ),
    ),
  }
})

/** `POST /auth/register`. Emails are compared in lower case. */
export const registerBody = builtOnFirstUse(() => {
  const { email, newPassword } = fields()
  return meta(z.strictObject({ email, password: newPassword }), { id: 'RegisterRequest' })
})

/**
 * `POST /auth/login`: shape only. A wrong email or password is a 401, whatever is wrong with it, and
 * passwords chosen under older rules (8 characters and up) still sign in. `email` is the login: an
 * account imported with a username signs in with it here too (docs/AUTH.md, "Accounts").
 */
export const loginBody = builtOnFirstUse(() =>
  meta(
    z.strictObject({
      email: z.pipe(z.string().check(z.maxLength(254)), fields().lowerCase),
      password: z.string().check(z.maxLength(256)),
    }),
    { id: 'LoginRequest' },
  ),
)

export const user = builtOnFirstUse(() => meta(z.object({ id: z.string(), email: z.nullable(z.string()) }), { id: 'User' }))

export const authResult = builtOnFirstUse(() =>
  meta(
    z.object({
      token: z.string(),
      tokenType: z.literal('Bearer'),
      expiresIn: meta(z.int(), { description: 'Seconds until the token expires' }),
      user: user(),
    }),
    { id: 'AuthResult' },
  ),
)

/** `POST /auth/password`: the current password proves it is the person, not just their token. */
export const passwordChangeBody = builtOnFirstUse(() =>
  meta(z.strictObject({ currentPassword: z.string().check(z.maxLength(256)), newPassword: fields().newPassword }), {
    id: 'PasswordChangeRequest',
  }),
)

export const signInList = builtOnFirstUse(() =>
  meta(
    z.object({
      items: z.array(
        z.object({
          id: z.string(),
          createdAt: meta(z.string(), { description: 'When the person signed in (ISO-8601)' }),
          lastUsedAt: meta(z.string(), { description: 'When the sign-in last renewed its access token (ISO-8601)' }),
          userAgent: z.nullable(z.string()),
          current: meta(z.boolean(), { description: 'The sign-in the calling access token belongs to' }),
        }),
      ),
    }),
    { id: 'SignInList' },
  ),
)

/** `POST /auth/password-reset`: the email to send a link to, if an account has it. */
export const passwordResetBody = builtOnFirstUse(() => meta(z.strictObject({ email: fields().email }), { id: 'PasswordResetRequest' }))

/** `POST /auth/password-reset/confirm`: the token from the emailed link, and the new password (the policy of registration). */
export const passwordResetConfirmBody = builtOnFirstUse(() =>
  meta(
    z.strictObject({
      token: meta(z.string().check(z.maxLength(256)), { description: 'The `token` of the link’s fragment' }),
      newPassword: fields().newPassword,
    }),
    { id: 'PasswordResetConfirmRequest' },
  ),
)
