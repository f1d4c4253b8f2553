import type { RequestHandler, Response } from 'express'

/**
 * Behind an API Gateway stage or a custom domain's base path, the client's URLs start with a prefix
 * the app never sees (the Lambda entry removes it and sets `req.pathPrefix`). This puts it in front of
 * every absolute path given to `res.location`, which `res.redirect` uses too, in mounted apps as well
 * (Express 4 or 5), so a client following a Location stays on the API. Full URLs are left as they are.
 */
export function pathPrefix(): RequestHandler {
  return function pathPrefix(req, res, next) {
    const prefix = req.pathPrefix
    if (prefix) {
      // The location of the app answering now: a mounted app swaps the response's prototype for its own.
      res.location = function prefixedLocation(this: Response, url: string) {
        const { location } = Object.getPrototypeOf(this) as { location: (this: Response, url: string) => Response }
        return location.call(this, url.startsWith('/') && !url.startsWith('//') ? prefix + url : url)
      }
    }
    next()
  }
}
