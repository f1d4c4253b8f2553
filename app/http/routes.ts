import type { RequestHandler, Router } from 'express'
import { HttpError } from '../errors'

type Method = 'get' | 'post' | 'patch' | 'delete' | 'put'
type Handlers = Partial<Record<Method, RequestHandler | RequestHandler[]>>

/**
 * Declares one path and its methods. Any other method gets 405 with `Allow` (OPTIONS gets 204 with
 * it), and the route pattern is recorded for the access log.
 * @example resource(router, '/:id', { get: read, patch: [requireScope('notes:write'), update] })
 */
export function resource(router: Router, path: string, handlers: Handlers): void {
  const methods = Object.keys(handlers).map((method) => method.toUpperCase())
  if (methods.includes('GET')) methods.push('HEAD')
  const allow = methods.join(', ')
  const route = router.route(path)
  route.all(function recordRoute(req, res, next) {
    res.locals.route = path === '/' && req.baseUrl ? req.baseUrl : req.baseUrl + path
    next()
  })
  for (const [method, handler] of Object.entries(handlers) as [Method, RequestHandler | RequestHandler[]][]) {
    route[method](handler)
  }
  route.all(function methodNotAllowed(req, res, next) {
    if (req.method === 'OPTIONS') {
      res.set('Allow', allow).status(204).end()
      return
    }
    next(new HttpError(405, 'Method Not Allowed', { detail: `${req.method} is not allowed here; use ${allow}`, headers: { Allow: allow } }))
  })
}
