import * as z from 'zod'

const email = z
  .email({ error: 'Must be an email address' })
  .max(254)
  .transform((value) => value.toLowerCase())

/** `POST /auth/register`. Emails are compared in lower case. */
export const registerBody = z
  .strictObject({
    email,
    password: z.string().min(8, 'Must be at least 8 characters').max(256, 'Must be at most 256 characters'),
  })
  .meta({ id: 'RegisterRequest' })

/** `POST /auth/login`: shape only. A wrong email or password is a 401, whatever is wrong with it. */
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
    user: user.extend({ email: z.string() }), // who signed in here always has an email
  })
  .meta({ id: 'AuthResult' })
