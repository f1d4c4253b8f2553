import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express'
import { requireAuth } from '../auth/require-auth'
import type { TokenVerifier } from '../auth/tokens'
import type { Logger } from '../logger'
import { isExpress4, servedAsExpress4 } from './express4'
import { defaultSession, sessionFromToken, type SessionFromIdentity } from './session'

/** An Express app (4 or 5) as another app sees it: a request handler with `handle` and `set`. */
export interface ExistingApp {
  (req: any, res: any, next: any): void
  handle(req: any, res: any, next: any): void
  set(setting: string, value: unknown): unknown
}

/** Existing Express code: a whole app (Express 4 or 5), a router, or a middleware function. */
export type ExistingCode = ExistingApp | RequestHandler | ((req: any, res: any, next: any) => void)

export interface MountOptions {
  /** What `req.session` answers, from the verified token; `false` leaves `req.session` unset. */
  session?: SessionFromIdentity | false
}

export interface Mount {
  path: string
  code: ExistingCode
  session: SessionFromIdentity | false
}

/**
 * One line of app/existing/mounts.ts: serve existing code at `path`, behind the token check.
 * @example mount('/legacy/reports', reportsApp, { session: (user) => ({ user: { id: user.id, name: user.claims.name } }) })
 */
export function mount(path: string, code: ExistingCode, options: MountOptions = {}): Mount {
  if (!/^\/[\w\-./]*$/.test(path) || path.includes('//')) throw new Error(`mount: "${path}" is not a plain path such as "/legacy"`)
  // At the root, every request no earlier route took (the SPA's pages, unknown paths) would need a token.
  if (path === '/') throw new Error('mount: give the app a path of its own, such as "/api/legacy", not "/"')
  if (typeof code !== 'function') throw new Error(`mount("${path}"): expected an Express app, router or middleware`)
  return { path, code, session: options.session ?? defaultSession }
}

/**
 * Every mount, each behind requireAuth (the same token check and `req.user` as `/api`) and the
 * session layer. Requests a mount does not answer, and every error it passes on or throws, continue
 * in the outer app: its 404 and problem+json error handler, never Express 4's HTML pages.
 */
export function mountExisting(mounts: readonly Mount[], deps: { verifyToken: TokenVerifier; logger: Logger }): Router {
  const router = express.Router()
  const auth = requireAuth(deps.verifyToken)
  // Under /api the token was checked already; verify it once per request.
  const authenticated: RequestHandler = function authenticated(req, res, next) {
    return req.user ? next() : auth(req, res, next)
  }
  for (const { path, code, session } of mounts) {
    const handlers: RequestHandler[] = [authenticated]
    if (session) handlers.push(sessionFromToken(deps.logger, session))
    handlers.push(asMiddleware(code))
    router.use(path, ...handlers)
  }
  return router
}

/** The code as one middleware whose requests end in the outer app's `next` when it does not answer them. */
function asMiddleware(code: ExistingCode): RequestHandler {
  if (isExpress4(code)) return servedAsExpress4(code)
  if (!isApp(code)) return code as RequestHandler
  const app = code
  app.set('x-powered-by', false)
  return function existingApp(req: Request, res: Response, next: NextFunction) {
    // An app swaps in its own request and response prototypes; the outer app gets its own back.
    const [reqProto, resProto] = [Object.getPrototypeOf(req), Object.getPrototypeOf(res)]
    app.handle(req, res, function backToOuterApp(err?: unknown) {
      Object.setPrototypeOf(req, reqProto)
      Object.setPrototypeOf(res, resProto)
      if (err && err !== 'router' && err !== 'route') next(err)
      else next()
    })
  }
}

function isApp(code: ExistingCode): code is ExistingApp {
  return typeof (code as ExistingApp).handle === 'function' && typeof (code as ExistingApp).set === 'function'
}
