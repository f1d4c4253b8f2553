import type { Request, RequestHandler, Response } from 'express'
import type { Identity } from '../auth/identity'
import { bearerToken, type TokenVerifier } from '../auth/tokens'
import type { IssuedToken } from '../auth/tokens'
import { HttpError } from '../errors'
import { cookiePairs } from '../http/cookies'
import type { BrowserSignIn, PageCookie } from './sign-in'

/** Who may reach a mount: `required` (401, or a sign-in page for a browser), `optional` (`req.user` when signed in) or `none`. */
export type MountAuth = 'required' | 'optional' | 'none'

/** The path that renews the page cookie from the refresh cookie (which is sent only under /auth). */
export const renewPath = '/auth/page'

/** How long a browser found without a sign-in is not sent to renew again: anonymous visitors bounce once per this. */
const renewMarkerSeconds = 300

/** The way back from a sign-in page to `page`: through the renewal, so the new sign-in's page cookie is set on the way. */
export function backThroughRenewal(page: string): string {
  return `${renewPath}?return=${encodeURIComponent(page)}`
}

/** The page cookie and the short-lived marker that says a renewal was just tried and found no sign-in. */
export function pageCookie(
  production: boolean,
): PageCookie & { read(req: Request): string | undefined; renewTried(req: Request): boolean } {
  // __Host-: Secure, Path=/ and no Domain, so a sibling subdomain cannot set or shadow it (needs HTTPS, so not in dev).
  const name = production ? '__Host-page-token' : 'page-token'
  const marker = 'page-renew'
  const attributes = { httpOnly: true, sameSite: 'lax' as const, secure: production, path: '/' }
  return {
    set(res: Response, token: IssuedToken) {
      res.cookie(name, token.token, { ...attributes, maxAge: token.expiresIn * 1000 })
      res.clearCookie(marker, attributes)
    },
    clear(res: Response) {
      res.clearCookie(name, attributes)
      res.cookie(marker, 'no', { ...attributes, maxAge: renewMarkerSeconds * 1000 })
    },
    read: (req) => cookiesOf(req)[name],
    renewTried: (req) => cookiesOf(req)[marker] === 'no',
  }
}

/** The request's cookies by name (the first of a name wins, as browsers send the most specific path first). */
export function cookiesOf(req: Request): Record<string, string | undefined> {
  const cookies = Object.create(null) as Record<string, string>
  for (const [name, value] of cookiePairs(req)) if (name && !(name in cookies)) cookies[name] = safeDecode(value.replace(/^"(.*)"$/, '$1'))
  return cookies
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

export interface AuthenticateOptions {
  auth: MountAuth
  scopes: readonly string[]
  /** Where a browser that needs to sign in is sent, with `?redirect=<the page>`. */
  signInPage: string
  verify: TokenVerifier
  cookie: ReturnType<typeof pageCookie>
  /** Set when this app runs its own browser sign-in, so an expired page cookie can be renewed. */
  canRenew: boolean
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * A mount's credential check. The credential is a bearer token or, for a browser, the page cookie;
 * either sets `req.user`. A browser navigating without a live page cookie is sent through
 * {@link renewPath} (which renews it from the refresh cookie and comes back), then, if nobody is signed
 * in, to the sign-in page; on an `optional` mount only when it has a lapsed page cookie, so that a
 * browser that never signed in sees the page at once; any other request without a credential is a 401 problem. A cookie-only
 * POST/PUT/PATCH/DELETE that the browser says came from another site is a 403.
 */
export function authenticate(options: AuthenticateOptions): RequestHandler {
  const { auth, scopes, verify, cookie } = options
  return async function authenticateMount(req, res, next) {
    if (auth === 'none') return next()
    res.set('Cache-Control', 'no-store')
    let byCookie = false
    if (!req.user) {
      const token = bearerToken(req.get('authorization'))
      if (token !== undefined) req.user = await verify(token)
      else {
        const pageToken = cookie.read(req)
        // An expired or otherwise unusable page cookie is no credential: the browser renews it or signs in.
        if (pageToken) req.user = await verifiedOrNot(verify, pageToken)
        byCookie = req.user !== undefined
      }
    }
    if (!req.user) {
      // An optional page sends only a browser with a trace of a sign-in (a lapsed page cookie) to renew, so an anonymous
      // visitor is not bounced; a required page tries renewal first, since a sign-in through the SPA leaves no cookie outside /auth.
      const worthRenewing = auth === 'required' || cookie.read(req) !== undefined
      if (isNavigation(req) && options.canRenew && worthRenewing && !cookie.renewTried(req)) {
        return res.redirect(303, backThroughRenewal(req.originalUrl))
      }
      if (auth === 'optional') return next()
      if (isNavigation(req)) {
        return res.redirect(303, `${options.signInPage}?redirect=${encodeURIComponent(backThroughRenewal(req.originalUrl))}`)
      }
      throw new HttpError(401, 'Unauthorized', {
        detail: 'Sign in, or send an access token: Authorization: Bearer <token>',
        headers: { 'WWW-Authenticate': 'Bearer' },
      })
    }
    if (byCookie && unsafeMethods.has(req.method) && !fromThisSite(req)) {
      throw new HttpError(403, 'Forbidden', { detail: 'A request from another site cannot use this site’s sign-in cookie' })
    }
    const missing = scopes.filter((scope) => !req.user!.scopes.includes(scope))
    if (missing.length > 0) {
      throw new HttpError(403, 'Forbidden', {
        detail: `This needs the ${missing.map((s) => `"${s}"`).join(', ')} scope`,
        headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scopes.join(' ')}"` },
      })
    }
    next()
  }
}

async function verifiedOrNot(verify: TokenVerifier, token: string): Promise<Identity | undefined> {
  try {
    return await verify(token)
  } catch {
    return undefined
  }
}

/** A browser loading a page: what gets a redirect rather than a 401. */
export function isNavigation(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  const mode = req.get('sec-fetch-mode')
  if (mode) return mode === 'navigate'
  return req.accepts(['json', 'html']) === 'html'
}

/**
 * Whether the browser says the request comes from this origin. Every current browser sends
 * Sec-Fetch-Site; without it, a browser's cross-site form post still sends its Origin. A request with
 * neither is not a browser's, and cookies were not what made it.
 */
export function fromThisSite(req: Request): boolean {
  const site = req.get('sec-fetch-site')
  if (site) return site === 'same-origin'
  const origin = req.get('origin')
  if (!origin) return true
  return origin === `${req.protocol}://${req.get('host')}`
}

/**
 * GET /auth/page?return=<path>: renews the page cookie from the refresh cookie (Path=/auth, so only
 * sent here) and goes back to the page. With no sign-in to renew, it leaves a 5-minute marker so that the
 * page goes to its sign-in page (or stays anonymous) rather than coming back here.
 */
export function renewPageCookie(browser: BrowserSignIn, cookie: ReturnType<typeof pageCookie>): RequestHandler {
  return async function renewPageCookie(req, res) {
    res.set('Cache-Control', 'no-store')
    const target = localPath(req.query.return)
    const issued = await browser.renew(req, res)
    if (issued) {
      cookie.set(res, issued)
      return res.redirect(303, target)
    }
    // A chain of redirects that began on another site (a link in an email) leaves out the refresh
    // cookie, which is SameSite=Strict: one same-site step, this page reloading itself, brings it.
    if (req.get('sec-fetch-site') === 'cross-site' && req.query.again === undefined) {
      const again = `${backThroughRenewal(target)}&again=1`
      return res
        .type('html')
        .send(`<!doctype html><meta http-equiv="refresh" content="0;url=${escapeHtml(again)}"><title>Signing in</title>`)
    }
    cookie.clear(res)
    res.redirect(303, target)
  }
}

/** A path of this site to go back to; anything else (another site, `//host`, `/\host`) becomes `/`. */
export function localPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/'
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
