import type { CookieOptions, Request, Response } from 'express'

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

/** The refresh cookie of a request, or undefined. Reads the Cookie header itself: one cookie needs no parser package. */
export function refreshCookieOf(req: Request): string | undefined {
  for (const pair of (req.get('cookie') ?? '').split(';')) {
    const at = pair.indexOf('=')
    if (at !== -1 && pair.slice(0, at).trim() === refreshCookieName) return pair.slice(at + 1).trim()
  }
  return undefined
}
