import type { Request, RequestHandler } from 'express'
import { HttpError } from '../errors'

/**
 * Whether a request that a cookie authenticates was started by a page of this origin or of a trusted
 * one (`CORS_ORIGINS`: the SPA's own origin when it is served from elsewhere, CloudFront's in front of
 * API Gateway). The one check every cookie-authenticated change goes through: `/auth/refresh` and
 * `/auth/logout`, a mounted app's cookie-only POST/PUT/PATCH/DELETE, a mounted login form's signIn.
 *
 * Every current browser sends `Sec-Fetch-Site`; `same-origin` passes, and a cross-origin request passes
 * only from a trusted `Origin` (a sibling subdomain is `same-site`, and refused). Without it, a
 * browser's cross-origin request still carries `Origin`. A request with neither is not a browser's,
 * and no cookie of a browser made it.
 */
export function fromTrustedOrigin(req: Request, trusted: ReadonlySet<string>): boolean {
  const site = req.get('sec-fetch-site')
  const origin = req.get('origin')
  if (site) return site === 'same-origin' || (origin !== undefined && trusted.has(origin))
  if (origin === undefined) return true
  return trusted.has(origin) || origin === `${req.protocol}://${req.get('host')}`
}

/**
 * CSRF defence for the routes a cookie authenticates (`/auth/refresh`, `/auth/logout`), on top of
 * SameSite=Strict: a request from a page of another, untrusted origin gets 403 (see fromTrustedOrigin).
 */
export function refuseForeignOrigin(trustedOrigins: readonly string[]): RequestHandler {
  const trusted = new Set(trustedOrigins)
  return function refuseForeignOrigin(req, _res, next) {
    if (fromTrustedOrigin(req, trusted)) return next()
    next(new HttpError(403, 'Forbidden', { detail: 'This request came from a page of another origin' }))
  }
}
