import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express'
import flash from 'connect-flash'
import type { SignInDoor } from '../auth/sign-in-door'
import type { SignInsRepository } from '../auth/sign-ins'
import type { TokenVerifier } from '../auth/tokens'
import type { Config } from '../config'
import type { Logger } from '../logger'
import { authenticate, type MountAuth } from './authenticate'
import { adaptExpress4, isExpress4 } from './express4'
import { pageCookie } from './page-cookie'
import { renewPageCookie, renewPath } from './page-renewal'
import { passportMethods } from './passport'
import { cookieSession, type SessionOptions } from './session'
import { sealedCookies, sessionKey, tableSessions } from './session-stores'
import { provideSignIn } from './sign-in'

/** An Express app (4 or 5) as another app sees it: a request handler with `handle` and `set`. */
export interface ExistingApp {
  (req: never, res: never, next: never): void
  handle(req: unknown, res: unknown, next: (err?: unknown) => void): void
  set(setting: string, value: unknown): unknown
}

/** Existing Express code: a whole app (Express 4 or 5), a router, or a middleware function (of any request type). */
export type ExistingCode = ExistingApp | RequestHandler | ((req: never, res: never, next: never) => void)

export interface MountOptions {
  /** `required` (the default): 401 without a credential, or for a browser navigating, the sign-in page. `optional`: `req.user` when signed in. `none`: never looked at. */
  auth?: MountAuth
  /** Scopes the credential must grant, else 403. Needs `auth: 'required'`. */
  scopes?: string[]
  /** Where a browser is sent to sign in, with `?redirect=<where to come back>`; default the SPA's `/sign-in`. */
  signInPage?: string
  /** `req.session` kept in an encrypted cookie (the default) or the table (`{ store: 'table' }`), or `false` to leave `req.session` unset. */
  session?: SessionOptions | false
}

export interface Mount {
  path: string
  code: ExistingCode
  options: Required<Pick<MountOptions, 'auth' | 'scopes' | 'signInPage'>> & { session: SessionOptions | false }
}

/** What mounts may be built from, for apps that keep data in the table. */
export interface MountDeps {
  db: DynamoDBDocumentClient
  tableName: string
  config: Config
}

/** The app's mounts: a list, or a function of the table and config when mounted code needs them. */
export type MountList = readonly Mount[] | ((deps: MountDeps) => readonly Mount[])

/**
 * Paths the app answers itself. A mount at `/` never sees them: it answers everything else (the
 * strangler fig), and the app's own routes, 404s included, stay the app's.
 */
export const ownPaths = /^\/(api|auth|health|openapi\.json)(\/|$)/

/**
 * One line of app/existing/mounts.ts: serve existing code at `path`, at its own URLs.
 * @example mount('/', legacyApp, { auth: 'optional', signInPage: '/login' })  // the fallback behind the app's own routes
 * @example mount('/reports', reportsApp, { scopes: ['reports:read'] })
 */
export function mount(path: string, code: ExistingCode, options: MountOptions = {}): Mount {
  if (!/^\/[\w\-./]*$/.test(path) || path.includes('//')) throw new Error(`mount: "${path}" is not a plain path such as "/legacy"`)
  if (path !== '/' && ownPaths.test(path) && !path.startsWith('/api/')) {
    throw new Error(`mount: "${path}" is one of the app's own paths; choose another`)
  }
  if (typeof code !== 'function') throw new Error(`mount("${path}"): expected an Express app, router or middleware`)
  const auth = options.auth ?? 'required'
  if (!['required', 'optional', 'none'].includes(auth)) throw new Error(`mount("${path}"): auth must be "required", "optional" or "none"`)
  const scopes = options.scopes ?? []
  if (scopes.length > 0 && auth !== 'required') throw new Error(`mount("${path}"): scopes need auth: 'required'`)
  const signInPage = options.signInPage ?? '/sign-in'
  if (!signInPage.startsWith('/')) throw new Error(`mount("${path}"): signInPage must be a path of this site, such as "/login"`)
  return { path, code, options: { auth, scopes, signInPage, session: options.session ?? {} } }
}

/** Whether a request goes to one of `mounts`: its body is then left for the mounted code to read. */
export function isForMount(mounts: readonly Mount[], path: string): boolean {
  return mounts.some((m) => (m.path === '/' ? !ownPaths.test(path) : path === m.path || path.startsWith(`${m.path}/`)))
}

export interface MountingDeps {
  config: Config
  db: DynamoDBDocumentClient
  tableName: string
  verifyToken: TokenVerifier
  logger: Logger
  /** This app's own sign-in door, which signIn() and verifyLogin() use and the page cookie renews through; none with JWT_JWKS_URI. */
  door?: SignInDoor
  /** The sign-ins the door keeps, for sessions that belong to one. */
  signIns?: SignInsRepository
  clock: () => Date
}

/**
 * Every mount, each behind its credential check and session layer. Requests a mount does not answer,
 * and every error it passes on or throws, continue in the outer app: its 404 and problem+json error
 * handler, never Express 4's HTML pages. Also `GET /auth/page`, which renews a browser's page cookie.
 */
export function mountExisting(mounts: readonly Mount[], deps: MountingDeps): Router {
  const { config, logger } = deps
  const router = express.Router()
  if (mounts.length === 0) return router
  const { door, signIns } = deps
  const cookie = pageCookie(config.production)
  const trustedOrigins = new Set(config.corsOrigins)
  if (door) router.get(renewPath, renewPageCookie(door, cookie))
  const key = config.jwt.secret && sessionKey(config.jwt.secret)

  for (const { path, code, options } of mounts) {
    const handlers: RequestHandler[] = []
    if (path === '/') handlers.push((req, _res, next) => (ownPaths.test(req.path) ? next('router') : next()))
    handlers.push(function signInHelpers(req, res, next) {
      provideSignIn(req, { door, verify: deps.verifyToken, pageCookie: cookie, trustedOrigins })
      passportMethods(req, res)
      next()
    })
    handlers.push(authenticate({ ...options, verify: deps.verifyToken, pageCookie: cookie, door, trustedOrigins }))
    if (options.session) {
      if (!key) throw new Error(`mount("${path}"): req.session is sealed with a key from JWT_SECRET; set it, or mount with session: false`)
      const store = options.session.store === 'table' ? tableSessions({ ...deps, key }) : sealedCookies(key)
      handlers.push(cookieSession({ store, logger, path, production: config.production, clock: deps.clock, signIns }, options.session))
      handlers.push(flash())
    }
    handlers.push(asMiddleware(code))
    // A router of its own per mount, so that next('router') above skips just this mount.
    router.use(path, express.Router().use(handlers))
  }
  return router
}

/**
 * The code as one middleware whose requests end in the outer app's `next` when it does not answer them.
 * An app (Express 4 or 5) gets its own request and response prototypes while it handles a request, as
 * Express's own `mounted_app` does; the outer app gets its own back after. What Express 4 needs beyond
 * that is in express4.ts.
 */
function asMiddleware(code: ExistingCode): RequestHandler {
  const express4 = isExpress4(code) ? adaptExpress4(code) : undefined
  if (!isApp(code)) {
    if (!express4) return code as RequestHandler
    return function existingRouter(req, res, next) {
      express4.before(req)
      ;(code as RequestHandler)(req, res, backToOuterApp(next))
    }
  }
  const app = code
  app.set('x-powered-by', false)
  return function existingApp(req: Request, res: Response, next: NextFunction) {
    express4?.before(req)
    const [reqProto, resProto] = [Object.getPrototypeOf(req) as object, Object.getPrototypeOf(res) as object]
    app.handle(
      req,
      res,
      backToOuterApp(next, () => {
        express4?.after(req)
        Object.setPrototypeOf(req, reqProto)
        Object.setPrototypeOf(res, resProto)
      }),
    )
  }
}

function backToOuterApp(next: NextFunction, restore?: () => void) {
  return function backToOuterApp(err?: unknown) {
    restore?.()
    if (err && err !== 'router' && err !== 'route') next(err)
    else next()
  }
}

/** A whole Express app (4 or 5): it has its own `handle` and settings, unlike a router or a middleware. */
export function isApp(code: ExistingCode | Router): code is ExistingApp {
  return typeof (code as ExistingApp).handle === 'function' && typeof (code as ExistingApp).set === 'function'
}
