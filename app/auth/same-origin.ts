import type { RequestHandler } from 'express'
import { HttpError } from '../errors'

/**
 * CSRF defence for the routes a cookie authenticates (`/auth/refresh`, `/auth/logout`), on top of
 * SameSite=Strict: a request whose `Origin` is neither this origin nor one of `CORS_ORIGINS` gets 403.
 * A request without `Origin` is not from a browser page (browsers send it on every POST), so it passes.
 */
export function refuseForeignOrigin(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins)
  return function refuseForeignOrigin(req, _res, next) {
    const origin = req.get('origin')
    if (origin === undefined || allowed.has(origin) || isSameOrigin(origin, req.protocol, req.get('host'))) return next()
    next(new HttpError(403, 'Forbidden', { detail: 'This request came from a page of another origin' }))
  }
}

function isSameOrigin(origin: string, protocol: string, host: string | undefined): boolean {
  return host !== undefined && origin === `${protocol}://${host}`
}
