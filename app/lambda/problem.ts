import { problemBody, type HttpError } from '../errors'
import { helmetHeaders } from '../http/security-headers'
import { isAlbEvent, type HttpEvent, type HttpResult } from './events'

let securityHeaders: Record<string, string> | undefined

/**
 * helmet's headers with its defaults, which are what the app sends in production (and Lambda is
 * production). Taken from helmet itself, so they cannot drift from what it sets; on first use, as
 * nearly every cold start answers no problem of its own.
 */
function helmetDefaults(): Record<string, string> {
  return (securityHeaders ??= Object.fromEntries(helmetHeaders().map(([name, value]) => [name.toLowerCase(), value])))
}

/**
 * A problem+json answer in the shape the event's source expects, for when the app could not answer:
 * the request id in `X-Request-Id` and the body, helmet's headers, never a stack.
 */
export function problemResult(event: HttpEvent, error: HttpError, requestId: string): HttpResult {
  const body = JSON.stringify(problemBody(error, requestId))
  const headers: Record<string, string> = {
    ...helmetDefaults(),
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
