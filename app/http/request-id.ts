import { randomUUID } from 'node:crypto'
import type { Request, RequestHandler } from 'express'

const validId = /^[\w.:-]{1,128}$/

/**
 * Gives every request an id and echoes it in `X-Request-Id`. With a platform id (`platformId`, the
 * API Gateway or Lambda request id) that id is the request's, so the response and the logs name what
 * AWS's own logs name; a caller's own id is then kept as `clientRequestId`, for the access log. Without
 * one (the dev server) a caller's id is the request's, else a fresh UUID. A caller's id counts only when
 * short and plain, so it cannot inject into logs.
 */
export function requestId(platformId?: (req: Request) => string | undefined): RequestHandler {
  return function requestId(req, res, next) {
    const given = req.get('x-request-id')
    const fromCaller = given && validId.test(given) ? given : undefined
    const fromPlatform = platformId?.(req)
    req.id = fromPlatform ?? fromCaller ?? randomUUID()
    if (fromPlatform !== undefined && fromCaller !== undefined && fromCaller !== fromPlatform) req.clientRequestId = fromCaller
    res.set('X-Request-Id', req.id)
    next()
  }
}
