import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express'
import type { TokenVerifier } from '../auth/tokens'
import type { Config } from '../config'
import type { Logger } from '../logger'
import { authenticate, pageCookie, renewPageCookie, renewPath, type MountAuth } from './credential'
import { adaptExpress4, isExpress4 } from './express4'
import { createImportedUsers, provideImportedUsers } from './imported-users'
import { cookieSession, sealedCookies, sessionKey, type SessionOptions } from './session'
import { tableSessions } from './session-table'
import { accessTokenOnly, provideSignIn, type BrowserSignIn } from './sign-in'

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
  /** The browser sign-in that signIn() starts and the page cookie renews from; by default a sign-in of one access token. */
  browserSignIn?: BrowserSignIn
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
  const ownSignIn = config.jwt.secret !== undefined && !config.jwt.jwksUri
  const browser = deps.browserSignIn ?? (ownSignIn ? accessTokenOnly(config.jwt, deps.clock) : undefined)
  const cookie = pageCookie(config.production)
  if (browser) router.get(renewPath, renewPageCookie(browser, cookie))
  const key = config.jwt.secret && sessionKey(config.jwt.secret)
  const importedUsers = createImportedUsers(deps)

  for (const { path, code, options } of mounts) {
    const handlers: RequestHandler[] = []
    if (path === '/') handlers.push((req, _res, next) => (ownPaths.test(req.path) ? next('router') : next()))
    handlers.push(function signInHelpers(req, _res, next) {
      if (browser) provideSignIn(req, { browser, verify: deps.verifyToken, pageCookie: cookie })
      provideImportedUsers(req, importedUsers)
      next()
    })
    handlers.push(authenticate({ ...options, verify: deps.verifyToken, cookie, canRenew: browser !== undefined }))
    if (options.session) {
      if (!key) throw new Error(`mount("${path}"): req.session is sealed with a key from JWT_SECRET; set it, or mount with session: false`)
      const store = options.session.store === 'table' ? tableSessions({ ...deps, key }) : sealedCookies(key)
      handlers.push(cookieSession({ store, logger, path, production: config.production }, options.session))
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
