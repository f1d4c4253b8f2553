import type { RequestHandler } from 'express'
import { HttpError } from '../errors'
import { identityOf, setIdentity } from './identity'
import { bearerToken, type TokenVerifier } from './tokens'

/**
 * Stateless authentication: every request carries `Authorization: Bearer <jwt>`. The verified
 * identity is the request's (identityOf(req), see identity.ts); responses are `no-store`.
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
    setIdentity(req, await verify(token))
    next()
  }
}

/** Lets a request through only when its token grants `scope`; else 403. Use after requireAuth. */
export function requireScope(scope: string): RequestHandler {
  return function requireScope(req, _res, next) {
    if (!identityOf(req)?.scopes.includes(scope)) {
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
