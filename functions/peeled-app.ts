import express, { type Express, type Request, type Router } from 'express'
import helmet from 'helmet'
import { requireAuth, type TokenVerifier } from '../app/auth/require-auth'
import { createTokenVerifier } from '../app/auth/verifier'
import type { Config } from '../app/config'
import { errorHandler, notFound } from '../app/errors'
import { accessLog } from '../app/http/access-log'
import { cors } from '../app/http/cors'
import { jsonBody } from '../app/http/json-body'
import { requestId } from '../app/http/request-id'
import type { Logger } from '../app/logger'

export interface PeeledDeps {
  config: Config
  clock: () => Date
  logger: Logger
  requestIdOf?: (req: Request) => string | undefined
  verifyToken?: TokenVerifier
}

/**
 * The app a peeled-off function runs: createApp's front door (request ids, access log, helmet, CORS,
 * JSON bodies) and back door (404, problem+json), with only the routes given, each behind the token
 * check. API Gateway sends this function only its own routes; any other path it is handed is a 404.
 * test/phase-two.test.ts checks that it answers exactly as the whole app does.
 * @example createPeeledApp(deps, { '/api/notes/export': exportRoutes(notes) })
 */
export function createPeeledApp(deps: PeeledDeps, routes: Record<string, Router>): Express {
  const { config, clock, logger } = deps
  const verifyToken = deps.verifyToken ?? createTokenVerifier(config.jwt, clock)

  const app = express()
  app.set('etag', false)
  app.set('query parser', 'simple')
  const upgradeInsecureRequests = config.production ? [] : null
  app.use(requestId(deps.requestIdOf), accessLog(logger), helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests } } }), cors(config.corsOrigins), jsonBody())

  for (const [path, router] of Object.entries(routes)) app.use(path, requireAuth(verifyToken), router)

  app.use(notFound, errorHandler(logger))
  return app
}
