import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express'
import flash from 'connect-flash'
import type { SignInDoor } from '../auth/sign-in-door'
import type { SignInsRepository } from '../auth/sign-ins'
import type { TokenVerifier } from '../auth/tokens'
import type { Config } from '../config'
import { serverError } from '../errors'
import { isOwnPath, isUnder, sitePaths, type SitePaths } from '../http/site-paths'
import type { Logger } from '../logger'
import type { RouteTable } from '../http/routes'
import { authenticate, type MountAuth } from './authenticate'
import { adaptExpress4, isExpress4 } from './express4'
import { enterMount, leaveMount, logMountedFailures, watchErrorHandlers } from './failures'
import { pageCookie } from './page-cookie'
import { pageRenewalApi, pageRenewalRoutes, renewPageCookie } from './page-renewal'
import { passportMethods } from './passport'
import { cookieSession, type SessionOptions } from './session'
import { sealedCookies, sessionKey, tableSessions } from './session-stores'
import { provideSignIn, signIn, signOut, verifyLogin } from './sign-in'

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
  /** Where a browser is sent to sign in, with `?redirect=<where to come back>`; default the SPA's sign-in page (`/sign-in`, or `/app/sign-in` beside a mount at `/`). */
  signInPage?: string
  /** `req.session` kept in an encrypted cookie (the default) or the table (`{ store: 'table' }`), or `false` to leave `req.session` unset. */
  session?: SessionOptions | false
  /**
   * Start-up work the app begins when it loads (seeding users, opening a connection, reading a config):
   * its promise, or a function that starts it. It runs while the function starts (`npm run dev` listens
   * only once it is done), and every request to the mount waits for it; if it fails, the cause is logged
   * and the mount answers 500 (`npm run dev` stops with the message).
   */
  ready?: PromiseLike<unknown> | (() => PromiseLike<unknown>)
}

export interface Mount {
  path: string
  code: ExistingCode
  options: Required<Pick<MountOptions, 'auth' | 'scopes'>> & Pick<MountOptions, 'signInPage'> & { session: SessionOptions | false }
  /** The mount's start-up work (option `ready`), already started; settles to undefined or its failure. */
  ready: Promise<void>
  /** The layer that serves mounts. It comes with mount(), so an app built without mounts never loads app/existing. */
  layer: MountLayer
}

/** What createApp uses of app/existing: it reaches it through the mounts it is given. */
export interface MountLayer {
  /** Every mount, each behind its credential check and session layer (see {@link mountExisting}). */
  router(mounts: readonly Mount[], deps: MountingDeps): Router
  /** Whether a request goes to one of `mounts`: its body is then left for the mounted code to read. */
  isForMount(mounts: readonly Mount[], path: string): boolean
  /** Settles when every mount's start-up work has: rejected with the first failure. */
  ready(mounts: readonly Mount[]): Promise<void>
  /** The route tables of the routes the layer adds (GET /auth/page when the app runs its own sign-in), for the OpenAPI document. */
  routeTables: RouteTable[]
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
 * One line of app/existing/mounts.ts: serve existing code at `path`, at its own URLs.
 * @example mount('/', legacyApp, { auth: 'optional', signInPage: '/login' })  // the fallback behind the app's own routes
 * @example mount('/reports', reportsApp, { scopes: ['reports:read'] })
 */
export function mount(path: string, code: ExistingCode, options: MountOptions = {}): Mount {
  if (!/^\/[\w\-./]*$/.test(path) || path.includes('//')) throw new Error(`mount: "${path}" is not a plain path such as "/legacy"`)
  if (path !== '/' && isOwnPath(path) && !path.startsWith('/api/')) {
    throw new Error(`mount: "${path}" is one of the app's own paths; choose another`)
  }
  if (typeof code !== 'function') throw new Error(`mount("${path}"): expected an Express app, router or middleware`)
  const auth = options.auth ?? 'required'
  if (!['required', 'optional', 'none'].includes(auth)) throw new Error(`mount("${path}"): auth must be "required", "optional" or "none"`)
  const scopes = options.scopes ?? []
  if (scopes.length > 0 && auth !== 'required') throw new Error(`mount("${path}"): scopes need auth: 'required'`)
  const { signInPage, ready } = options
  if (signInPage !== undefined && !signInPage.startsWith('/'))
    throw new Error(`mount("${path}"): signInPage must be a path of this site, such as "/login"`)
  if (ready !== undefined && typeof ready !== 'function' && typeof ready?.then !== 'function')
    throw new Error(`mount("${path}"): ready must be a promise or a function that returns one`)
  return { path, code, options: { auth, scopes, signInPage, session: options.session ?? {} }, ready: started(ready), layer }
}

/** The start-up work, begun now; a failure is kept for the mount's requests (and the log), never an unhandled rejection. */
function started(ready: MountOptions['ready']): Promise<void> {
  const work = Promise.resolve()
    .then(() => (typeof ready === 'function' ? ready() : ready))
    .then(() => undefined)
  work.catch(() => undefined)
  return work
}

/** Whether a request goes to one of `mounts`: its body is then left for the mounted code to read. */
export function isForMount(mounts: readonly Mount[], path: string): boolean {
  if (mounts.length === 0) return false
  const paths = sitePathsOf(mounts)
  return mounts.some((m) => (m.path === '/' ? ownedByRootMount(paths, path) : isUnder(m.path, path)))
}

/** What a mount at `/` answers: every path but the app's own and the SPA's. */
function ownedByRootMount(paths: SitePaths, path: string): boolean {
  return !isOwnPath(path) && !isUnder(paths.spaBase.replace(/\/$/, ''), path)
}

const sitePathsOf = (mounts: readonly Mount[]) => sitePaths(mounts.map((m) => m.path))

const layer: MountLayer = {
  router: (mounts, deps) => mountExisting(mounts, deps),
  isForMount,
  ready: async (mounts) => void (await Promise.all(mounts.map((m) => m.ready))),
  routeTables: [pageRenewalApi],
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
 * The helpers of app/existing that take the request first, as code shipped as files reaches them: its
 * `require('…/app/existing')` finds a stand-in beside the bundle that calls these (scripts/ship-mounted.mjs).
 */
const requestHelpers = { signIn, signOut, verifyLogin }
const helpersKey = Symbol.for('notes-serverless/app/existing')

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
  if (door) router.use(pageRenewalApi.base, pageRenewalRoutes(renewPageCookie(door, cookie)))
  const key = config.jwt.secret && sessionKey(config.jwt.secret)
  const paths = sitePathsOf(mounts)

  for (const { path, code, options, ready } of mounts) {
    ready.catch((error: unknown) => logger.error('mount start-up work failed', { mount: path, error }))
    const handlers: RequestHandler[] = []
    if (path === '/') handlers.push((req, _res, next) => (ownedByRootMount(paths, req.path) ? next() : next('router')))
    handlers.push(function signInHelpers(req, res, next) {
      provideSignIn(req, { door, verify: deps.verifyToken, pageCookie: cookie, trustedOrigins })
      passportMethods(req, res)
      ;(req as unknown as Record<symbol, unknown>)[helpersKey] = requestHelpers
      next()
    })
    const signInPage = options.signInPage ?? `${paths.spaBase}sign-in`
    handlers.push(authenticate({ ...options, signInPage, verify: deps.verifyToken, pageCookie: cookie, door, trustedOrigins }))
    if (options.session) {
      if (!key) throw new Error(`mount("${path}"): req.session is sealed with a key from JWT_SECRET; set it, or mount with session: false`)
      const store = options.session.store === 'table' ? tableSessions({ ...deps, key }) : sealedCookies(key)
      handlers.push(cookieSession({ store, logger, path, production: config.production, clock: deps.clock, signIns }, options.session))
      handlers.push(flash())
    }
    handlers.push(async function startUpFinished(_req, _res, next) {
      await ready.catch((error: unknown) => {
        throw serverError(new Error(`The start-up work of the mount at ${path} failed`, { cause: error }))
      })
      next()
    })
    handlers.push(noPoweredBy, logMountedFailures(logger), asMiddleware(code))
    // A router of its own per mount, so that next('router') above skips just this mount.
    router.use(path, express.Router().use(handlers))
  }
  return router
}

/**
 * No `X-Powered-By` from mounted code: each app Express creates sets it on every response it handles
 * (`express()` sub-apps inside the mounted app too, Express 4 and 5), so the header is refused here
 * rather than switched off app by app.
 */
const noPoweredBy: RequestHandler = function noPoweredBy(_req, res, next) {
  const setHeader = res.setHeader.bind(res)
  res.setHeader = function setHeaderButPoweredBy(name: string, value: number | string | readonly string[]) {
    return name.toLowerCase() === 'x-powered-by' ? res : setHeader(name, value)
  } as Response['setHeader']
  next()
}

/**
 * The code as one middleware whose requests end in the outer app's `next` when it does not answer them.
 * An app (Express 4 or 5) gets its own request and response prototypes while it handles a request, as
 * Express's own `mounted_app` does; the outer app gets its own back after. What Express 4 needs beyond
 * that is in express4.ts.
 */
function asMiddleware(code: ExistingCode): RequestHandler {
  const express4 = isExpress4(code) ? adaptExpress4(code) : undefined
  // Express 5's router, whose error handlers are watched as express4.ts watches Express 4's.
  const express5Router = (): { stack?: never[] } | undefined =>
    express4 ? undefined : isApp(code) ? (code as { router?: { stack?: never[] } }).router : (code as { stack?: never[] })
  if (!isApp(code)) {
    return function existingRouter(req, res, next) {
      express4?.before(req)
      watchErrorHandlers(express5Router())
      enterMount(req)
      ;(code as RequestHandler)(req, res, backToOuterApp(req, next))
    }
  }
  const app = code
  app.set('x-powered-by', false)
  return function existingApp(req: Request, res: Response, next: NextFunction) {
    express4?.before(req)
    watchErrorHandlers(express5Router())
    enterMount(req)
    const [reqProto, resProto] = [Object.getPrototypeOf(req) as object, Object.getPrototypeOf(res) as object]
    app.handle(
      req,
      res,
      backToOuterApp(req, next, () => {
        express4?.after(req)
        Object.setPrototypeOf(req, reqProto)
        Object.setPrototypeOf(res, resProto)
      }),
    )
  }
}

function backToOuterApp(req: Request, next: NextFunction, restore?: () => void) {
  return function backToOuterApp(err?: unknown) {
    restore?.()
    const passedOn = err && err !== 'router' && err !== 'route'
    leaveMount(req, passedOn)
    if (passedOn) next(err)
    else next()
  }
}

/** A whole Express app (4 or 5): it has its own `handle` and settings, unlike a router or a middleware. */
export function isApp(code: ExistingCode | Router): code is ExistingApp {
  return typeof (code as ExistingApp).handle === 'function' && typeof (code as ExistingApp).set === 'function'
}
