import type { Request, RequestHandler } from 'express'
import { identityOf } from '../auth/identity'
import type { Logger } from '../logger'

/**
 * One JSON line per request: method, route pattern (not the raw path, so ids do not explode the
 * cardinality), status, duration, request id (and the caller's own, if it sent one the platform's replaced) and user id. No headers, no bodies.
 * A response that closed before it finished (the client went away mid-stream, or a streamed answer
 * failed after its first bytes) is logged when it closes, with `aborted: true`: its status left, its body did not all.
 */
export function accessLog(logger: Logger): RequestHandler {
  return function accessLog(req, res, next) {
    const started = process.hrtime.bigint()
    const log = (aborted: boolean) =>
      logger.info('request', {
        requestId: req.id,
        clientRequestId: req.clientRequestId,
        method: req.method,
        route: routeOf(req),
        path: req.originalUrl.split('?', 1)[0],
        status: res.statusCode,
        durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
        userId: identityOf(req)?.id,
        ...(aborted ? { aborted } : {}),
      })
    res.on('finish', () => log(false))
    res.on('close', () => {
      if (!res.writableFinished) log(true)
    })
    next()
  }
}

function routeOf(req: Request): string | undefined {
  const matched = req.res?.locals.route as string | undefined
  return matched ?? (req.route ? String((req.route as { path: unknown }).path) : undefined)
}
