import express, { type Request, type RequestHandler } from 'express'
import { HttpError } from '../errors'

const methodsWithBody = new Set(['POST', 'PUT', 'PATCH'])

/**
 * Parses JSON bodies up to 100 KB and refuses any other media type on methods that carry one.
 * The body is cleared first: the Lambda adapter pre-sets `req.body` to the raw Buffer, and no
 * route may see anything the parser did not produce. A request `leftAlone` picks (one for mounted
 * code) keeps its body unread, whatever its type, for the mounted code's own parsers.
 */
export function jsonBody(leftAlone: (req: Request) => boolean = () => false): RequestHandler[] {
  const json = express.json({ limit: '100kb', strict: true })
  return [
    function requireJson(req, _res, next) {
      req.body = undefined
      if (leftAlone(req)) return next()
      const hasBody = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0
      if (methodsWithBody.has(req.method) && hasBody && !req.is('application/json')) {
        return next(new HttpError(415, 'Unsupported Media Type', { detail: 'Send the body as application/json' }))
      }
      next()
    },
    function parseJson(req, res, next) {
      if (leftAlone(req)) return next()
      json(req, res, next)
    },
  ]
}
