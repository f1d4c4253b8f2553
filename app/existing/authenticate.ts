import type { Request, RequestHandler } from 'express'
import { identityOf, setIdentity, type Identity } from '../auth/identity'
import { fromTrustedOrigin } from '../auth/same-origin'
import type { SignInDoor } from '../auth/sign-in-door'
import { bearerToken, type TokenVerifier } from '../auth/tokens'
import { HttpError } from '../errors'
import type { PageCookie } from './page-cookie'
import { backThroughRenewal } from './page-renewal'

/** Who may reach a mount: `required` (401, or a sign-in page for a browser), `optional` (signed in when a credential came) or `none`. */
export type MountAuth = 'required' | 'optional' | 'none'

export interface AuthenticateOptions {
  auth: MountAuth
  scopes: readonly string[]
  /** Where a browser that needs to sign in is sent, with `?redirect=<the page>`. */
  signInPage: string
  verify: TokenVerifier
  pageCookie: PageCookie
  /** This app's own sign-in, when it has one: a page cookie that lapsed is renewed through it. */
  door?: SignInDoor
  trustedOrigins: ReadonlySet<string>
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * A mount's credential check, from the credential alone, every time: a bearer token or, for a browser,
 * the page cookie. Whatever an earlier mount or middleware left on the request (`req.user` above all)
 * never counts. The verified identity is the request's (identityOf), and `req.user` becomes the mounted
 * app's own (see {@link exposeUser}). A browser navigating without a live page cookie that has signed in
 * before is sent through `/auth/page` (which renews the page cookie from the refresh cookie and comes
 * back); one that never signed in, or whose sign-in is over, goes to the sign-in page (`required`) or on
 * anonymously (`optional`); any other request without a credential is a 401 problem. A POST/PUT/PATCH/
 * DELETE that the page cookie alone authenticates, from a page of another origin, is a 403.
 */
export function authenticate(options: AuthenticateOptions): RequestHandler {
  const { auth, scopes, verify, pageCookie, door, trustedOrigins } = options
  return async function authenticateMount(req, res, next) {
    let identity: Identity | undefined
    let byCookie = false
    if (auth !== 'none') {
      res.set('Cache-Control', 'no-store')
      const token = bearerToken(req.get('authorization'))
      if (token !== undefined) identity = await verify(token)
      else {
        const pageToken = pageCookie.read(req)
        // An expired or otherwise unusable page cookie is no credential: the browser renews it or signs in.
        if (pageToken) identity = await verifiedOrNot(verify, pageToken)
        byCookie = identity !== undefined
      }
    }
    setIdentity(req, identity)
    exposeUser(req)
    if (auth === 'none') return next()
    if (!identity) {
      if (isNavigation(req) && door?.cookie.mayBeSignedIn(req)) return res.redirect(303, backThroughRenewal(req.originalUrl))
      if (auth === 'optional') return next()
      if (isNavigation(req)) {
        const back = door ? backThroughRenewal(req.originalUrl) : req.originalUrl
        return res.redirect(303, `${options.signInPage}?redirect=${encodeURIComponent(back)}`)
      }
      throw new HttpError(401, 'Unauthorized', {
        detail: 'Sign in, or send an access token: Authorization: Bearer <token>',
        headers: { 'WWW-Authenticate': 'Bearer' },
      })
    }
    if (byCookie && unsafeMethods.has(req.method) && !fromTrustedOrigin(req, trustedOrigins)) {
      throw new HttpError(403, 'Forbidden', { detail: 'A request from another site cannot use this site’s sign-in cookie' })
    }
    const missing = scopes.filter((scope) => !identity.scopes.includes(scope))
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

/**
 * `req.user` as mounted code expects it: what the app assigns stays (its own user record, a route hook's
 * loaded object), for its own code alone; until it assigns one, a copy of the verified identity, as
 * passport-style code reads it. Defined afresh by each mount, so nothing one mount put there reaches another.
 */
export function exposeUser(req: Request): void {
  let assigned: { value: unknown } | undefined
  let view: { of: Identity; user: Identity } | undefined
  Object.defineProperty(req, 'user', {
    configurable: true,
    enumerable: true,
    get() {
      if (assigned) return assigned.value
      const identity = identityOf(req)
      if (!identity) return undefined
      if (view?.of !== identity)
        view = { of: identity, user: { ...identity, scopes: [...identity.scopes], claims: { ...identity.claims } } }
      return view.user
    },
    set(value: unknown) {
      assigned = { value }
    },
  })
}

/** A browser loading a page: what gets a redirect rather than a 401. */
export function isNavigation(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  const mode = req.get('sec-fetch-mode')
  if (mode) return mode === 'navigate'
  return req.accepts(['json', 'html']) === 'html'
}
