import type { Request, RequestHandler } from 'express'
import { identityOf } from '../auth/identity'
import type { Logger } from '../logger'

/**
 * One JSON line per finished request: method, route pattern (not the raw path, so ids do not
 * explode the cardinality), status, duration, request id (and the caller's own, if it sent one the platform's replaced) and user id. No headers, no bodies.
 */
export function accessLog(logger: Logger): RequestHandler {
  return function accessLog(req, res, next) {
    const started = process.hrtime.bigint()
    res.on('finish', () => {
      logger.info('request', {
        requestId: req.id,
        clientRequestId: req.clientRequestId,
        method: req.method,
        route: routeOf(req),
        path: req.originalUrl.split('?', 1)[0],
        status: res.statusCode,
        durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
        userId: identityOf(req)?.id,
      })
    })
    next()
  }
}

function routeOf(req: Request): string | undefined {
  const matched = req.res?.locals.route as string | undefined
  return matched ?? (req.route ? String((req.route as { path: unknown }).path) : undefined)
}
