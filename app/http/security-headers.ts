import type { Request, RequestHandler, Response } from 'express'
import helmet, { type HelmetOptions } from 'helmet'

/**
 * helmet's security headers, worked out once. With options fixed at start, helmet sets the same
 * headers on every response, yet runs a dozen middleware functions per request to do it; this asks
 * helmet once which headers it sets and then sets just those. helmet stays the source of their names
 * and values (test/http/security-headers.test.ts compares them with helmet's own on a live request).
 * X-Powered-By, which helmet removes, is never set: expressApp() disables it.
 */
export function securityHeaders(options: HelmetOptions): RequestHandler {
  const headers = helmetHeaders(options)
  return function securityHeaders(_req, res, next) {
    for (const [name, value] of headers) res.setHeader(name, value)
    next()
  }
}

/** The headers helmet sets with `options`, as it names them, in its order: asked of helmet itself, once per call. */
export function helmetHeaders(options: HelmetOptions = {}): [string, string][] {
  const headers: [string, string][] = []
  const recorder = {
    setHeader: (name: string, value: string | number) => void headers.push([name, String(value)]),
    removeHeader: () => undefined,
  }
  helmet(options)({} as Request, recorder as unknown as Response, () => undefined)
  return headers
}
