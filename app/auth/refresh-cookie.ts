import type { CookieOptions, Request, Response } from 'express'
import { cookiePairs } from '../http/cookies'

/** The refresh cookie's name. Its value is a refresh token (see sessions.ts), opaque to the browser. */
export const refreshCookieName = 'notes_refresh'

/**
 * Where the refresh cookie lives: only `/auth/*` ever receives it, never script (HttpOnly) and never
 * a request started by another site (SameSite=Strict); over HTTPS only in production.
 */
function attributes(production: boolean): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', path: '/auth', secure: production }
}

/** Sets the refresh cookie for `maxAgeSeconds` (Max-Age, and Expires for older clients). */
export function setRefreshCookie(res: Response, token: string, options: { production: boolean; maxAgeSeconds: number }): void {
  res.cookie(refreshCookieName, token, { ...attributes(options.production), maxAge: options.maxAgeSeconds * 1000 })
}

/** Tells the browser to drop the refresh cookie. */
export function clearRefreshCookie(res: Response, options: { production: boolean }): void {
  res.clearCookie(refreshCookieName, attributes(options.production))
}

/** The refresh cookie of a request (the first of its name, its value as sent), or undefined. */
export function refreshCookieOf(req: Request): string | undefined {
  for (const [name, value] of cookiePairs(req)) if (name === refreshCookieName) return value
  return undefined
}
