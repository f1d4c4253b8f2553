import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import helmet from 'helmet'
import { problemBody, type HttpError } from '../errors'
import { isAlbEvent, type HttpEvent, type HttpResult } from './events'

/**
 * helmet's headers with its defaults, which are what the app sends in production (and Lambda is
 * production). Taken from helmet itself once, so they cannot drift from what it sets.
 */
const securityHeaders: Record<string, string> = (() => {
  const req = new IncomingMessage(new Socket())
  const res = new ServerResponse(req)
  helmet()(req, res, () => undefined)
  return Object.fromEntries(Object.entries(res.getHeaders()).map(([name, value]) => [name, String(value)]))
})()

/**
 * A problem+json answer in the shape the event's source expects, for when the app could not answer:
 * the request id in `X-Request-Id` and the body, helmet's headers, never a stack.
 */
export function problemResult(event: HttpEvent, error: HttpError, requestId: string): HttpResult {
  const body = JSON.stringify(problemBody(error, requestId))
  const headers: Record<string, string> = {
    ...securityHeaders,
    ...error.headers,
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'x-request-id': requestId,
  }
  const result = { statusCode: error.status, body, isBase64Encoded: false }
  // The adapter answers an ALB event in the form it came in: multi-value headers unless `headers` was set.
  // Payload 2.0 by its version alone: a malformed one (no rawPath) is still answered in its own shape.
  if ((event as { version?: unknown }).version === '2.0' || (isAlbEvent(event) && event.headers)) return { ...result, headers }
  return { ...result, multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])) }
}
