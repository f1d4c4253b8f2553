import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express'
import type { Config } from '../config'
import { errorHandler, notFound } from '../errors'
import type { Logger } from '../logger'
import { accessLog } from './access-log'
import { cors } from './cors'
import { jsonBody } from './json-body'
import { pathPrefix } from './path-prefix'
import { requestId } from './request-id'
import { securityHeaders } from './security-headers'

// What every function of this project puts around its routes, in three pieces that createApp and each
// peeled-off function (functions/) use alike, so they cannot drift apart: expressApp(), then
// app.use(front(deps)), the function's own routes, and app.use(back(deps)).

export interface ShellDeps {
  config: Config
  logger: Logger
  /** The platform's id for a request (the Lambda request id); else a fresh one is made. */
  requestIdOf?: (req: Request) => string | undefined
  /** Requests whose bodies are left unread for mounted code (see app/existing); all others are JSON or 415. */
  bodiesLeftAlone?: (req: Request) => boolean
}

/**
 * An Express app with the shared settings: ETags are note versions that the routes set; query strings
 * stay flat; no X-Powered-By (helmet's advice, kept by never setting it rather than removing it).
 */
export function expressApp(): Express {
  const app = express()
  app.set('etag', false)
  app.set('query parser', 'simple')
  app.disable('x-powered-by')
  return app
}

/** In front of every route, in this order: the request id, the stage prefix for Location headers, the access log, helmet's headers, CORS and JSON bodies. */
export function front(deps: ShellDeps): RequestHandler[] {
  const { config, logger } = deps
  // Off the production path the dev server is plain HTTP: without this, Safari upgrades the SPA's own scripts to https.
  const upgradeInsecureRequests = config.production ? [] : null
  return [
    requestId(deps.requestIdOf),
    pathPrefix(),
    accessLog(logger),
    securityHeaders({ contentSecurityPolicy: { directives: { upgradeInsecureRequests } } }),
    cors(config.corsOrigins),
    jsonBody(deps.bodiesLeftAlone),
  ]
}

/** Behind every route: the terminal 404, then the error handler that writes every problem+json. */
export function back(deps: Pick<ShellDeps, 'logger'>): [RequestHandler, ErrorRequestHandler] {
  return [notFound, errorHandler(deps.logger)]
}
