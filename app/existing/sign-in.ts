import type { Request, Response } from 'express'
import type { Identity } from '../auth/identity'
import type { TokenVerifier } from '../auth/tokens'
import { clearRefreshCookie, refreshCookieOf, setRefreshCookie } from '../auth/refresh-cookie'
import type { Renewal, SessionsRepository } from '../auth/sessions'
import { issueToken, type IssuedToken } from '../auth/tokens'
import type { JwtConfig } from '../config'
import { HttpError } from '../errors'
import { fromThisSite } from './credential'

/** Who signs in: the user id (the token's `sub`) and, when the account has one, its email. */
export interface SignInUser {
  id: string
  email?: string
}

/**
 * The browser sign-in of this app, as pages of mounted apps use it: start one (the refresh session and
 * its cookie), renew it from the refresh cookie a request carries (rotating it), end it. Each answers
 * with a fresh access token, which the page cookie then holds.
 */
export interface BrowserSignIn {
  start(req: Request, res: Response, user: SignInUser): Promise<IssuedToken>
  /** A new access token from the request's refresh cookie, rotated; undefined when it has none or it is spent, revoked or expired. */
  renew(req: Request, res: Response): Promise<IssuedToken | undefined>
  end(req: Request, res: Response): Promise<void>
}

/**
 * The browser sign-in of `/auth/*` (see docs/AUTH.md): a refresh session in the table and its
 * rotating refresh cookie (Path=/auth), so a page's sign-in lasts as long as the SPA's and is listed
 * and revoked with it.
 */
export function refreshSessions(deps: {
  sessions: SessionsRepository
  jwt: JwtConfig
  production: boolean
  refreshTtlSeconds: number
  clock: () => Date
}): BrowserSignIn {
  const { sessions, jwt, production, clock } = deps
  const issued = (res: Response, { sid, user, refreshToken }: Renewal) => {
    setRefreshCookie(res, refreshToken, { production, maxAgeSeconds: deps.refreshTtlSeconds })
    return issueToken(jwt, user, clock(), sid)
  }
  return {
    async start(req, res, user) {
      return issued(res, await sessions.start({ id: user.id, email: user.email ?? '' }, req.get('user-agent')))
    },
    async renew(req, res) {
      const refreshToken = refreshCookieOf(req)
      if (refreshToken === undefined) return undefined
      try {
        return issued(res, await sessions.rotate(refreshToken, req.get('user-agent')))
      } catch (err) {
        if (!(err instanceof HttpError) || err.status !== 401) throw err
        clearRefreshCookie(res, { production })
        return undefined
      }
    },
    async end(req, res) {
      const refreshToken = refreshCookieOf(req)
      if (refreshToken !== undefined) await sessions.end(refreshToken)
      clearRefreshCookie(res, { production })
    },
  }
}

/** A sign-in that is only its access token: no refresh session, so it lasts `JWT_TTL_SECONDS` and cannot be renewed. */
export function accessTokenOnly(jwt: JwtConfig, clock: () => Date): BrowserSignIn {
  return {
    start: (_req, _res, user) => Promise.resolve(issueToken(jwt, { id: user.id, email: user.email ?? '' }, clock())),
    renew: () => Promise.resolve(undefined),
    end: () => Promise.resolve(),
  }
}

/** What a mount puts on each request for signIn and signOut. */
export interface SignInContext {
  browser: BrowserSignIn
  verify: TokenVerifier
  pageCookie: PageCookie
}

/** The page cookie: an access token a browser sends when it navigates (see docs/AUTH.md, "Pages of mounted apps"). */
export interface PageCookie {
  set(res: Response, token: IssuedToken): void
  clear(res: Response): void
}

const contexts = new WeakMap<object, SignInContext>()

export function provideSignIn(req: Request, context: SignInContext): void {
  contexts.set(req, context)
}

function contextOf(req: Request, helper: string): SignInContext {
  const context = contexts.get(req)
  if (!context) throw new Error(`${helper}(req, res) works in code mounted with mount() (app/existing/mounts.ts), on a request of it`)
  return context
}

/**
 * Signs a person in after the mounted app's own password check: starts this app's browser sign-in
 * (the refresh session and its cookie, and the page cookie), and sets `req.user` for the rest of the
 * request. Pages of every mount then see the person; the SPA does too.
 * @example
 * app.post('/login', async (req, res) => {
 *   const user = await verifyLogin(req, req.body.username, req.body.password)
 *   if (!user) return res.redirect('/login')
 *   await signIn(req, res, user)
 *   res.redirect('/account')
 * })
 */
export async function signIn(req: Request, res: Response, user: SignInUser): Promise<Identity> {
  const context = contextOf(req, 'signIn')
  // A login form posted from another site would sign this browser in to someone else's account.
  if (!fromThisSite(req)) throw new HttpError(403, 'Forbidden', { detail: 'Sign in from this site’s own page' })
  const issued = await context.browser.start(req, res, user)
  context.pageCookie.set(res, issued)
  req.user = await context.verify(issued.token)
  return req.user
}

/** Signs the person out: ends the browser sign-in, clears its cookies and `req.user`. Other devices stay signed in. */
export async function signOut(req: Request, res: Response): Promise<void> {
  const context = contextOf(req, 'signOut')
  await context.browser.end(req, res)
  context.pageCookie.clear(res)
  req.user = undefined
}
