import type { NextFunction, Request, RequestHandler, Response } from 'express'

/**
 * Express 4 under the Express 5 app. What Express 4 does differently is made to fit here:
 *
 * - A handler's rejected promise: Express 4 ignores the promise a handler returns, so an `async`
 *   handler that throws leaves the request hanging and the rejection unhandled (which ends the Node
 *   process; on Lambda it fails the invocation). Its Layer is taught what Express 5 does:
 *   a rejection goes to `next(err)`, and so to the outer app's problem+json error handler.
 * - Its body-parser would try to read a body the outer app has read already: the request is flagged
 *   as parsed (`req._body`, body-parser 1's flag) and `req.body` is `{}` when there was none, as
 *   body-parser 1 leaves it.
 * - Its query parser: `req.query` is Express 5's getter, which Express 4 would not see once it swaps
 *   in its own request prototype, so Express 4 parses the query string itself, as it always did.
 * - `X-Powered-By: Express`, which helmet removes from every other response, is switched off.
 */
interface Express4Layer {
  handle: (...args: any[]) => unknown
  handle_request(req: any, res: any, next: any): void
  handle_error(err: unknown, req: any, res: any, next: any): void
}

interface Express4Router {
  (req: any, res: any, next: any): void
  stack: Express4Layer[]
  process_params: unknown
}

interface Express4App {
  (req: any, res: any, next: any): void
  handle(req: any, res: any, next: any): void
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

/** The Express 4 app or router as an Express 5 middleware; see the top of this file for what it changes. */
export function servedAsExpress4(code: Express4App | Express4Router): RequestHandler {
  if ('lazyrouter' in code) {
    const app = code
    app.set('x-powered-by', false)
    app.lazyrouter()
    catchRejections(app._router)
    return function express4App(req: Request, res: Response, next: NextFunction) {
      catchRejections(app._router)
      asParsed(req)
      // Express 5's req.query is a getter of its prototype, which Express 4 swaps for its own: an own,
      // empty `query` lets Express 4's query middleware parse it as the app always had it.
      Object.defineProperty(req, 'query', { value: undefined, writable: true, configurable: true, enumerable: true })
      const [reqProto, resProto] = [Object.getPrototypeOf(req), Object.getPrototypeOf(res)]
      app.handle(req, res, function backToOuterApp(err?: unknown) {
        // Express 4 gave the request and response its own prototypes; the outer app gets its own back.
        delete (req as { query?: unknown }).query
        Object.setPrototypeOf(req, reqProto)
        Object.setPrototypeOf(res, resProto)
        if (err && err !== 'router' && err !== 'route') next(err)
        else next()
      })
    }
  }
  const router = code
  return function express4Router(req: Request, res: Response, next: NextFunction) {
    catchRejections(router)
    asParsed(req)
    router(req, res, function backToOuterApp(err?: unknown) {
      if (err && err !== 'router' && err !== 'route') next(err)
      else next()
    })
  }
}

function asParsed(req: Request): void {
  ;(req as Request & { _body?: boolean })._body = true
  req.body ??= {}
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
