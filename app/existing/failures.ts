import type { Request, RequestHandler } from 'express'
import type { Logger } from '../logger'

/**
 * No silent 500 from mounted code. An app that renders its own error page answers 500 with a body
 * of its own, and the error that caused it never reaches this app's error handler, so the log would
 * show only the status. Here every error that reaches one of a mounted app's own error handlers is
 * noted on its request (express4.ts and {@link watchErrorHandlers} see them go in), and when the
 * response ends as a 5xx that mounted code wrote, one log line carries the request id, the status
 * and each such error's message and stack. Errors the mounted code passes on are the outer app's to
 * log (its errorHandler logs every 5xx), so they are not logged twice.
 */
const seen = new WeakMap<object, unknown[]>()
const passedOn = new WeakSet<object>()
const insideMount = new WeakSet<object>()
const watchedRequests = new WeakSet<object>()

/** An error reaching one of a mounted app's error handlers, on this request. */
export function noteError(req: object, error: unknown): void {
  const errors = seen.get(req) ?? []
  if (!errors.includes(error)) errors.push(error)
  seen.set(req, errors)
}

/** Mounted code is handling the request from now until it hands the request back (see mount.ts). */
export function enterMount(req: object): void {
  insideMount.add(req)
}

/** Mounted code handed the request back, with `err` when it passed an error on to the outer app. */
export function leaveMount(req: object, err: unknown): void {
  insideMount.delete(req)
  if (err) passedOn.add(req)
}

/** Logs the 5xx answers mounted code writes itself, with the errors its own error handlers saw. */
export function logMountedFailures(logger: Logger): RequestHandler {
  return function logMountedFailures(req, res, next) {
    // Once per request, however many mounts it passes through.
    if (watchedRequests.has(req)) return next()
    watchedRequests.add(req)
    res.on('finish', () => {
      const errors = seen.get(req) ?? []
      if (passedOn.has(req)) return
      if (res.statusCode >= 500) {
        logger.error(
          errors.length ? 'mounted app answered a server error' : 'mounted app answered a server error without passing an error on',
          {
            ...where(req),
            status: res.statusCode,
            ...errorFields(errors),
          },
        )
      } else {
        const unexpected = errors.filter((e) => !hasClientStatus(e))
        if (unexpected.length)
          logger.warn('mounted app handled an error', { ...where(req), status: res.statusCode, ...errorFields(unexpected) })
      }
    })
    next()
  }
}

function where(req: Request) {
  return { requestId: req.id, method: req.method, path: req.originalUrl.split('?', 1)[0] }
}

function errorFields(errors: unknown[]) {
  if (errors.length === 0) return {}
  const [error, ...more] = errors.map(asError)
  return more.length ? { error, moreErrors: more } : { error }
}

/** Whatever was thrown or passed to next(), as the logger writes errors: a thrown string or object is still its message. */
function asError(value: unknown): Error {
  if (value instanceof Error) return value
  const error = new Error(typeof value === 'string' ? value : `A non-Error was passed on: ${safeJson(value)}`)
  error.name = 'NonError'
  return error
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/** An error that says it is the client's (http-errors' 404 and friends): an app answering it with its page is no failure. */
function hasClientStatus(error: unknown): boolean {
  const status =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode
  return typeof status === 'number' && status >= 400 && status < 500
}

interface RouterLayer {
  handle: (...args: unknown[]) => unknown
  handleError: (this: RouterLayer, error: unknown, req: object, res: unknown, next: unknown) => unknown
}

const watched = Symbol('notes: error handlers watched')

/**
 * Express 5's router (the `router` package) as a mounted app or router uses it: its Layer class is
 * the outer app's too, so only errors on a request inside mounted code are noted. Patched once per
 * copy, when the router has a layer to reach the class through. Express 4 is watched in express4.ts.
 */
export function watchErrorHandlers(router: { stack?: RouterLayer[] } | undefined): void {
  const layer = router?.stack?.[0]
  if (!layer) return
  const proto = Object.getPrototypeOf(layer) as RouterLayer & { [watched]?: true }
  if (proto[watched] || typeof proto.handleError !== 'function') return
  proto[watched] = true
  const handleError = proto.handleError
  proto.handleError = function handleError_(this: RouterLayer, error, req, res, next) {
    if (this.handle.length === 4 && insideMount.has(req)) noteError(req, error)
    return handleError.call(this, error, req, res, next)
  }
}
