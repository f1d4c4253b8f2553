import express, { type Express, type Request } from 'express'
import helmet from 'helmet'
import type { Config } from '../config'
import { errorHandler, notFound } from '../errors'
import type { Logger } from '../logger'
import { accessLog } from './access-log'
import { cors } from './cors'
import { jsonBody } from './json-body'
import { requestId } from './request-id'

export interface ShellDeps {
  config: Config
  logger: Logger
  /** The platform's id for a request (the Lambda request id); else a fresh one is made. */
  requestIdOf?: (req: Request) => string | undefined
  /** Requests whose bodies are left unread for mounted code (see app/existing); all others are JSON or 415. */
  bodiesLeftAlone?: (req: Request) => boolean
}

/**
 * An Express app with what every function of this project puts around its routes: in front, request
 * ids, the access log, helmet, CORS and JSON bodies; behind, the terminal 404 and the problem+json
 * error handler. `addRoutes` adds the routes in between. createApp and each peeled-off function use
 * it, so they cannot drift apart.
 */
export function createAppShell(deps: ShellDeps, addRoutes: (app: Express) => void): Express {
  const { config, logger } = deps
  const app = express()
  app.set('etag', false) // ETags here are note versions, set by the routes
  app.set('query parser', 'simple')

  // Off the production path the dev server is plain HTTP: without this, Safari upgrades the SPA's own scripts to https.
  const upgradeInsecureRequests = config.production ? [] : null
  app.use(
    requestId(deps.requestIdOf),
    accessLog(logger),
    helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests } } }),
    cors(config.corsOrigins),
    jsonBody(deps.bodiesLeftAlone),
  )

  addRoutes(app)

  app.use(notFound, errorHandler(logger))
  return app
}
