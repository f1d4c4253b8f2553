import { randomUUID } from 'node:crypto'
import type { Request, RequestHandler } from 'express'

const validId = /^[\w.:-]{1,128}$/

/**
 * Gives every request an id and echoes it in `X-Request-Id`. A caller's own id is kept when it is
 * short and plain (so it cannot inject into logs); else `fallback` (the Lambda request id) or a UUID.
 */
export function requestId(fallback?: (req: Request) => string | undefined): RequestHandler {
  return function requestId(req, res, next) {
    const given = req.get('x-request-id')
    req.id = given && validId.test(given) ? given : (fallback?.(req) ?? randomUUID())
    res.set('X-Request-Id', req.id)
    next()
  }
}
