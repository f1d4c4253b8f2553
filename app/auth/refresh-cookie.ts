import type { CookieOptions, Request, Response } from 'express'
import { cookiePairs } from '../http/cookies'

/** The refresh cookie's name off production, where plain HTTP cannot carry a `__Secure-` cookie. */
export const refreshCookieName = 'notes_refresh'

/** What a request's Cookie header holds of the refresh cookie: its value, none, or more than one (never to be trusted). */
export type PresentedRefreshCookie = { value: string } | 'none' | 'many'

export interface RefreshCookie {
  /** The name in use: `__Secure-notes_refresh` in production, `notes_refresh` on the dev server's plain HTTP. */
  name: string
  /** Sets the refresh cookie (and its signed-in hint) for `maxAgeSeconds`. */
  set(req: Request, res: Response, token: string, maxAgeSeconds: number): void
  /** Tells the browser to drop the refresh cookie and the hint. */
  clear(req: Request, res: Response): void
  /**
   * Drops every copy the browser may hold, also one planted by a sibling subdomain (`Domain=` a parent
   * of this host) or on another path: what a request with more than one refresh cookie gets.
   */
  clearEveryCopy(req: Request, res: Response): void
  read(req: Request): PresentedRefreshCookie
  /** Whether the browser says it may hold a sign-in (the hint below): a page may then renew rather than go anonymous. */
  mayBeSignedIn(req: Request): boolean
}

/**
 * The refresh cookie (a refresh token, see sign-ins.ts): only `<prefix>/auth/*` ever receives it (the
 * prefix is a stage or base path the client's URL had, `req.pathPrefix`), never script (HttpOnly) and
 * never a request started by another site (SameSite=Strict). In production it is `Secure` and its
 * name carries the `__Secure-` prefix, so no plain-HTTP page can set it. (`__Host-` would also forbid
 * `Domain`, but needs `Path=/`, which would send the cookie to every request.)
 *
 * Beside it, `notes_signed_in=1`: no secret, readable by the SPA, so that it asks `/auth/refresh`
 * only when there may be a sign-in to renew (a signed-out visit then makes no failing request), and
 * sent with every navigation (`SameSite=Lax`, on every path), so that a mounted app's page sends through
 * `/auth/page` only a browser that has signed in, never a first-time visitor.
 */
export function refreshCookie(production: boolean): RefreshCookie {
  const name = production ? `__Secure-${refreshCookieName}` : refreshCookieName
  const hint = production ? '__Secure-notes_signed_in' : 'notes_signed_in'
  const prefixOf = (req: Request) => req.pathPrefix ?? ''
  const attributes = (req: Request): CookieOptions => ({
    httpOnly: true,
    sameSite: 'strict',
    path: `${prefixOf(req)}/auth`,
    secure: production,
  })
  const hintAttributes = (req: Request): CookieOptions => ({ sameSite: 'lax', path: `${prefixOf(req)}/`, secure: production })

  return {
    name,
    set(req, res, token, maxAgeSeconds) {
      res.cookie(name, token, { ...attributes(req), maxAge: maxAgeSeconds * 1000 })
      res.cookie(hint, '1', { ...hintAttributes(req), maxAge: maxAgeSeconds * 1000 })
    },
    clear(req, res) {
      res.clearCookie(name, attributes(req))
      res.clearCookie(hint, hintAttributes(req))
    },
    clearEveryCopy(req, res) {
      const paths = [...new Set([`${prefixOf(req)}/auth`, '/auth', '/'])]
      for (const domain of [undefined, ...parentDomains(req.hostname)]) {
        for (const path of paths) res.clearCookie(name, { ...attributes(req), path, domain })
      }
      res.clearCookie(hint, hintAttributes(req))
    },
    read(req) {
      let found: string | undefined
      for (const [cookie, value] of cookiePairs(req)) {
        if (cookie !== name) continue
        if (found !== undefined) return 'many'
        found = value
      }
      return found === undefined ? 'none' : { value: found }
    },
    mayBeSignedIn(req) {
      for (const [cookie, value] of cookiePairs(req)) if (cookie === hint && value === '1') return true
      return false
    },
  }
}

/** `a.b.example.com` has the parents `b.example.com` and `example.com` (a public suffix among them is ignored by browsers). */
function parentDomains(hostname: string | undefined): string[] {
  if (!hostname || /^[\d.]+$/.test(hostname) || hostname.includes(':')) return []
  const labels = hostname.split('.')
  return labels.slice(1, -1).map((_, i) => labels.slice(i + 1).join('.'))
}
