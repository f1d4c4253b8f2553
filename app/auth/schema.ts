import * as z from 'zod'
import { isCommonPassword, passwordLength } from './password-policy'

const email = z
  .email({ error: 'Must be an email address' })
  .max(254)
  .transform((value) => value.toLowerCase())

/** A new password (OWASP ASVS 4.0.3 section 2.1): 12 to 128 characters of any kind, and not a common one. */
const newPassword = z
  .string()
  .min(passwordLength.min, `Must be at least ${passwordLength.min} characters`)
  .max(passwordLength.max, `Must be at most ${passwordLength.max} characters`)
  .refine(
    (password) => password.length < passwordLength.min || !isCommonPassword(password),
    'This is one of the most commonly used passwords; choose another',
  )

/** `POST /auth/register`. Emails are compared in lower case. */
export const registerBody = z.strictObject({ email, password: newPassword }).meta({ id: 'RegisterRequest' })

/**
 * `POST /auth/login`: shape only. A wrong email or password is a 401, whatever is wrong with it, and
 * passwords chosen under older rules (8 characters and up) still sign in. `email` is the login: an
 * account imported with a username signs in with it here too (docs/AUTH.md, "Accounts").
 */
export const loginBody = z
  .strictObject({
    email: z
      .string()
      .max(254)
      .transform((value) => value.toLowerCase()),
    password: z.string().max(256),
  })
  .meta({ id: 'LoginRequest' })

export const user = z.object({ id: z.string(), email: z.string().nullable() }).meta({ id: 'User' })

export const authResult = z
  .object({
    token: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().meta({ description: 'Seconds until the token expires' }),
    user,
  })
  .meta({ id: 'AuthResult' })

/** `POST /auth/password`: the current password proves it is the person, not just their token. */
export const passwordChangeBody = z
  .strictObject({ currentPassword: z.string().max(256), newPassword })
  .meta({ id: 'PasswordChangeRequest' })

export const signInList = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        createdAt: z.string().meta({ description: 'When the person signed in (ISO-8601)' }),
        lastUsedAt: z.string().meta({ description: 'When the sign-in last renewed its access token (ISO-8601)' }),
        userAgent: z.string().nullable(),
        current: z.boolean().meta({ description: 'The sign-in the calling access token belongs to' }),
      }),
    ),
  })
  .meta({ id: 'SignInList' })

/** `POST /auth/password-reset`: the email to send a link to, if an account has it. */
export const passwordResetBody = z.strictObject({ email }).meta({ id: 'PasswordResetRequest' })

/** `POST /auth/password-reset/confirm`: the token from the emailed link, and the new password (the policy of registration). */
export const passwordResetConfirmBody = z
  .strictObject({ token: z.string().max(256).meta({ description: 'The `token` of the link’s fragment' }), newPassword })
  .meta({ id: 'PasswordResetConfirmRequest' })
