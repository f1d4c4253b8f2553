import jwt, { type SignOptions } from 'jsonwebtoken'
import type { Config } from '../../app/config'
import { testSecret } from './app'

/**
 * Signs a token as the app would, with claims and options to override: the way to make every
 * kind of bad token. `exp: undefined` in claims leaves `exp` out.
 */
export function signToken(
  config: Config,
  claims: Record<string, unknown> = {},
  options: SignOptions = {},
  secret: string = testSecret,
): string {
  const now = Math.floor(Date.now() / 1000)
  const payload: Record<string, unknown> = {
    sub: 'user-1',
    email: 'user-1@example.com',
    scope: 'notes:read notes:write',
    iat: now,
    exp: now + 600,
    ...claims,
  }
  for (const [key, value] of Object.entries(payload)) if (value === undefined) delete payload[key]
  return jwt.sign(payload, secret, { algorithm: 'HS256', issuer: config.jwt.issuer, audience: config.jwt.audience, ...options })
}

export function signExpiredToken(config: Config, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000)
  return signToken(config, { iat: now - 3600, exp: now - 60, ...claims })
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })
