import type { RequestHandler } from 'express'
import type { JwtConfig } from '../config'
import { HttpError } from '../errors'
import type { Identity } from './identity'
import { verifyOwnToken } from './tokens'

/** Verifies a bearer token and returns who it names; throws a 401 (or 503) HttpError when it cannot. */
export type TokenVerifier = (token: string) => Promise<Identity> | Identity

/** The verifier for tokens this app issues with its own secret. */
export function ownTokenVerifier(config: JwtConfig, clock: () => Date): TokenVerifier {
  if (!config.secret) throw new Error('ownTokenVerifier needs JWT_SECRET')
  return (token) => verifyOwnToken(config, token, clock())
}

const bearer = /^Bearer +(\S+) *$/i

/** The token of an `Authorization: Bearer <token>` header; undefined for a missing header or another scheme. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return bearer.exec(authorization ?? '')?.[1]
}

/**
 * Stateless authentication: every request carries `Authorization: Bearer <jwt>`. The verified
 * identity goes on `req.user`, where session-based code looked for it; responses are `no-store`.
 */
export function requireAuth(verify: TokenVerifier): RequestHandler {
  return async function requireAuth(req, res, next) {
    res.set('Cache-Control', 'no-store')
    const token = bearerToken(req.get('authorization'))
    if (token === undefined) {
      throw new HttpError(401, 'Unauthorized', {
        detail: 'Send an access token: Authorization: Bearer <token>',
        headers: { 'WWW-Authenticate': 'Bearer' },
      })
    }
    req.user = await verify(token)
    next()
  }
}

/** Lets a request through only when its token grants `scope`; else 403. Use after requireAuth. */
export function requireScope(scope: string): RequestHandler {
  return function requireScope(req, _res, next) {
    if (!req.user?.scopes.includes(scope)) {
      return next(
        new HttpError(403, 'Forbidden', {
          detail: `This needs the "${scope}" scope`,
          headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
        }),
      )
    }
    next()
  }
}
