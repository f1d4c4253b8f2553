import type { Request } from 'express'
import { noteError } from './failures'

/**
 * Express 4 under the Express 5 app. What Express 4 does differently is made to fit here:
 *
 * - A handler's rejected promise: Express 4 ignores the promise a handler returns, so an `async`
 *   handler that throws leaves the request hanging and the rejection unhandled (which ends the Node
 *   process; on Lambda it fails the invocation). Its Layer is taught what Express 5 does:
 *   a rejection goes to `next(err)`, and so to the outer app's problem+json error handler.
 * - Its query parser: `req.query` is Express 5's getter, which Express 4 would not see once it swaps
 *   in its own request prototype, so Express 4 parses the query string itself, as it always did.
 * - `X-Powered-By: Express`, which helmet removes from every other response, is switched off.
 * - Its error handlers: each error that reaches one is noted for the log (failures.ts), since the
 *   page the app renders for it says nothing of its cause.
 */
/** What the patched layer reads of a request and a response; Express 4's own types are not installed. */
interface LayerRequest {
  route?: { path: unknown }
  baseUrl: string
}
type Next = (err?: unknown) => void
type Handler = (...args: unknown[]) => unknown

interface Express4Layer {
  handle: Handler
  handle_request(req: LayerRequest, res: { locals?: Record<string, unknown> }, next: Next): void
  handle_error(err: unknown, req: LayerRequest, res: unknown, next: Next): void
}

interface Express4Router {
  (req: unknown, res: unknown, next: Next): void
  stack: Express4Layer[]
  process_params: unknown
}

interface Express4App {
  (req: unknown, res: unknown, next: Next): void
  handle(req: unknown, res: unknown, next: Next): void
  set(setting: string, value: unknown): unknown
  lazyrouter(): void
  _router?: Express4Router
}

const patched = Symbol('notes: promise rejections reach next')

/** An Express 4 app (`lazyrouter` is gone in 5) or router (`process_params` too). */
export function isExpress4(code: unknown): code is Express4App | Express4Router {
  return (
    typeof code === 'function' &&
    (typeof (code as Express4App).lazyrouter === 'function' || typeof (code as Express4Router).process_params === 'function')
  )
}

/**
 * What an Express 4 app or router needs under the Express 5 app, beyond the prototypes that mount.ts
 * swaps for every app: `before` each request it handles, and `after` it passes one back.
 */
export function adaptExpress4(code: Express4App | Express4Router): { before(req: Request): void; after(req: Request): void } {
  const router = () => ('lazyrouter' in code ? code._router : code)
  if ('lazyrouter' in code) {
    code.set('x-powered-by', false)
    code.lazyrouter()
  }
  catchRejections(router())
  const isApp = 'lazyrouter' in code
  return {
    before(req) {
      catchRejections(router())
      // Express 5's req.query is a getter of its prototype, which an Express 4 app swaps for its own: an
      // own, empty `query` lets Express 4's query middleware parse it as the app always had it.
      if (isApp) Object.defineProperty(req, 'query', { value: undefined, writable: true, configurable: true, enumerable: true })
    },
    after(req) {
      if (isApp) delete (req as { query?: unknown }).query
    },
  }
}

/**
 * Patches the Layer class of the router's copy of Express 4 (once; every app, router and route of
 * that copy shares it), as the express-async-errors package does. Also records the matched route
 * for the access log, as the outer app's routes do. Until the router has a layer there is nothing to patch yet.
 */
function catchRejections(router: Express4Router | undefined): void {
  const layer = router?.stack[0]
  if (!layer) return
  const proto = Object.getPrototypeOf(layer) as Express4Layer & { [patched]?: true }
  if (proto[patched]) return
  proto[patched] = true
  // Arity decides whether Express 4 treats a handler as an error handler, so both are kept as they were.
  proto.handle_request = function handle(this: Express4Layer, req, res, next) {
    const fn = this.handle
    if (fn.length > 3) return next()
    if (req.route && res.locals) res.locals.route = `${req.baseUrl}${String(req.route.path)}`
    try {
      forwardRejection(fn(req, res, next), next)
    } catch (err) {
      next(err)
    }
  }
  proto.handle_error = function handleError(this: Express4Layer, error, req, res, next) {
    const fn = this.handle
    if (fn.length !== 4) return next(error)
    noteError(req, error)
    try {
      forwardRejection(fn(error, req, res, next), next)
    } catch (err) {
      next(err)
    }
  }
}

function forwardRejection(result: unknown, next: (err: unknown) => void): void {
  if (result && typeof (result as Promise<unknown>).then === 'function') {
    ;(result as Promise<unknown>).then(undefined, (err: unknown) => next(err ?? new Error('Rejected promise')))
  }
}
