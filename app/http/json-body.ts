import express, { type Request, type RequestHandler } from 'express'
import { HttpError } from '../errors'

const methodsWithBody = new Set(['POST', 'PUT', 'PATCH'])

/**
 * Parses JSON bodies up to 100 KB and refuses any other media type on methods that carry one.
 * The body is cleared first: the Lambda adapter pre-sets `req.body` to the raw Buffer, and no
 * route may see anything the parser did not produce. A request without a body (neither
 * `Content-Length` nor `Transfer-Encoding`, as for nearly every GET) has nothing to parse and goes
 * straight on. A request `leftAlone` picks (one for mounted code) keeps its body unread, whatever
 * its type, for the mounted code's own parsers.
 */
export function jsonBody(leftAlone: (req: Request) => boolean = () => false): RequestHandler {
  const json = express.json({ limit: '100kb', strict: true })
  return function jsonBody(req, res, next) {
    req.body = undefined
    const { 'content-length': length, 'transfer-encoding': encoding } = req.headers
    if ((length === undefined && encoding === undefined) || leftAlone(req)) return next()
    if (methodsWithBody.has(req.method) && (encoding !== undefined || Number(length) > 0) && !req.is('application/json')) {
      return next(new HttpError(415, 'Unsupported Media Type', { detail: 'Send the body as application/json' }))
    }
    json(req, res, next)
  }
}
