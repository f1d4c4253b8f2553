import type { RequestHandler } from 'express'

const allowMethods = 'GET, POST, PATCH, DELETE'
const allowHeaders = 'Authorization, Content-Type, If-Match'
const exposeHeaders = 'ETag, Location, X-Request-Id'

/**
 * CORS for an allow-list of origins, without credentials: the token travels in `Authorization`,
 * never in a cookie. A preflight is answered here with 204; an origin off the list gets no CORS headers.
 */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins)
  return function cors(req, res, next) {
    const origin = req.get('origin')
    res.vary('Origin')
    const isAllowed = origin !== undefined && allowed.has(origin)
    if (isAllowed) {
      res.set('Access-Control-Allow-Origin', origin)
      res.set('Access-Control-Expose-Headers', exposeHeaders)
    }
    if (req.method === 'OPTIONS' && req.get('access-control-request-method')) {
      if (isAllowed) {
        res.set('Access-Control-Allow-Methods', allowMethods)
        res.set('Access-Control-Allow-Headers', allowHeaders)
        res.set('Access-Control-Max-Age', '600')
      }
      res.status(204).end()
      return
    }
    next()
  }
}
