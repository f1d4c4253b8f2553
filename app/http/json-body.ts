import express, { type RequestHandler } from 'express'
import { HttpError } from '../errors'

const methodsWithBody = new Set(['POST', 'PUT', 'PATCH'])

/**
 * Parses JSON bodies up to 100 KB and refuses any other media type on methods that carry one.
 * The body is cleared first: the Lambda adapter pre-sets `req.body` to the raw Buffer, and no
 * route may see anything the parser did not produce.
 */
export function jsonBody(): RequestHandler[] {
  return [
    function requireJson(req, _res, next) {
      req.body = undefined
      const hasBody = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0
      if (methodsWithBody.has(req.method) && hasBody && !req.is('application/json')) {
        return next(new HttpError(415, 'Unsupported Media Type', { detail: 'Send the body as application/json' }))
      }
      next()
    },
    express.json({ limit: '100kb', strict: true }),
  ]
}
