import jwt, { type JwtPayload } from 'jsonwebtoken'
import type { JwtConfig } from '../config'
import { HttpError } from '../errors'
import type { Identity } from './identity'

/** The scopes every user of this app's own sign-in gets. */
export const userScopes = ['notes:read', 'notes:write']

export interface IssuedToken {
  token: string
  tokenType: 'Bearer'
  expiresIn: number
}

/** Verifies a bearer token and returns who it names; throws a 401 (or 503) HttpError when it cannot. */
export type TokenVerifier = (token: string) => Promise<Identity> | Identity

/**
 * Signs an HS256 access token for a user, naming the sign-in it belongs to as `sid` (see sign-ins.ts).
 * Needs `config.secret`; JWKS mode issues no tokens.
 */
export function issueToken(config: JwtConfig, user: { id: string; email?: string }, now: Date, sid?: string): IssuedToken {
  if (!config.secret) throw new Error('issueToken needs JWT_SECRET')
  const iat = Math.floor(now.getTime() / 1000)
  const token = jwt.sign(
    { sub: user.id, email: user.email, sid, scope: userScopes.join(' '), iat, exp: iat + config.ttlSeconds },
    config.secret,
    { algorithm: 'HS256', issuer: config.issuer, audience: config.audience },
  )
  return { token, tokenType: 'Bearer', expiresIn: config.ttlSeconds }
}

const clockToleranceSeconds = 30

/**
 * Verifies a token this app issued: HS256 only (so `none` and public-key confusion fail), `exp`
 * required, `iss` and `aud` checked, at most 30 s of clock skew. Throws 401 with the reason kept
 * as the cause for the log, never in the response.
 */
export function verifyOwnToken(config: JwtConfig, token: string, now: Date): Identity {
  if (!config.secret) throw new Error('verifyOwnToken needs JWT_SECRET')
  let payload: JwtPayload
  try {
    payload = jwt.verify(token, config.secret, {
      algorithms: ['HS256'],
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: clockToleranceSeconds,
      clockTimestamp: Math.floor(now.getTime() / 1000),
    }) as JwtPayload
  } catch (err) {
    throw invalidToken(err)
  }
  return identityFromClaims(payload)
}

/** How many verified tokens a verifier remembers; the oldest goes first. */
const verifiedTokensKept = 1000

/**
 * The verifier for tokens this app issues with its own secret. A browser sends the same token with
 * every request for its 15 minutes, so a verifier remembers the tokens it has verified (the last
 * 1,000, by their exact text) and answers a known one without parsing it and checking its signature
 * again: the answer depends on nothing else but the time, and `exp` is checked on every use, with the
 * same 30 s of skew. A token is only ever remembered after passing every check; any other text, one
 * character off included, is verified in full. That saved about a tenth of a warm request's CPU
 * (docs/BENCHMARKS.md).
 */
export function ownTokenVerifier(config: JwtConfig, clock: () => Date): TokenVerifier {
  if (!config.secret) throw new Error('ownTokenVerifier needs JWT_SECRET')
  const verified = new Map<string, { identity: Identity; usableUntil: number }>()
  return (token) => {
    const now = clock()
    const known = verified.get(token)
    if (known !== undefined) {
      if (now.getTime() < known.usableUntil) return { ...known.identity, scopes: [...known.identity.scopes] }
      verified.delete(token)
    }
    const identity = verifyOwnToken(config, token, now)
    if (verified.size >= verifiedTokensKept) verified.delete(verified.keys().next().value!)
    verified.set(token, { identity, usableUntil: ((identity.claims.exp as number) + clockToleranceSeconds) * 1000 })
    return { ...identity, scopes: [...identity.scopes] }
  }
}

const bearer = /^Bearer +(\S+) *$/i

/** The token of an `Authorization: Bearer <token>` header; undefined for a missing header or another scheme. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return bearer.exec(authorization ?? '')?.[1]
}

/** The identity of verified claims: `sub` and `exp` required; scopes from `scope`, `scp` or `permissions`. */
export function identityFromClaims(claims: JwtPayload): Identity {
  if (typeof claims.exp !== 'number') throw invalidToken(new Error('token has no exp'))
  if (typeof claims.sub !== 'string' || claims.sub === '') throw invalidToken(new Error('token has no sub'))
  return {
    id: claims.sub,
    email: typeof claims.email === 'string' ? claims.email : undefined,
    signInId: typeof claims.sid === 'string' ? claims.sid : undefined,
    scopes: scopesOf(claims),
    claims,
  }
}

function scopesOf(claims: JwtPayload): string[] {
  const scopes = new Set<string>()
  if (typeof claims.scope === 'string')
    claims.scope
      .split(' ')
      .filter(Boolean)
      .forEach((s) => scopes.add(s))
  for (const list of [claims.scp, claims.permissions]) {
    if (Array.isArray(list)) list.filter((s): s is string => typeof s === 'string').forEach((s) => scopes.add(s))
    else if (typeof list === 'string')
      list
        .split(' ')
        .filter(Boolean)
        .forEach((s) => scopes.add(s))
  }
  return [...scopes]
}

/** The 401 for a token that was sent but cannot be used; the reason stays in `cause`, for the log. */
export function invalidToken(cause?: unknown): HttpError {
  return new HttpError(401, 'Unauthorized', {
    detail: 'The access token is invalid or has expired',
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    cause,
  })
}
