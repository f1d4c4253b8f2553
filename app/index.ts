import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import express, { type Express, type Request, type RequestHandler, type Router } from 'express'
import helmet from 'helmet'
import { requireAuth, type TokenVerifier } from './auth/require-auth'
import { authRoutes } from './auth/routes'
import { createUsersRepository } from './auth/users-repository'
import { createTokenVerifier } from './auth/verifier'
import type { Config } from './config'
import { errorHandler, notFound } from './errors'
import { mountExisting, type Mount } from './existing'
import { mounts } from './existing/mounts'
import { accessLog } from './http/access-log'
import { cors } from './http/cors'
import { jsonBody } from './http/json-body'
import { requestId } from './http/request-id'
import { resource } from './http/routes'
import { staticSite } from './http/static-site'
import type { Logger } from './logger'
import { createNotesRepository } from './notes/repository'
import { notesRoutes, trashRoutes } from './notes/routes'
import { openApiDocument } from './openapi'

export interface Deps {
  config: Config
  db: DynamoDBDocumentClient
  clock: () => Date
  logger: Logger
  /** The platform's id for a request (the Lambda request id); else a fresh one is made. */
  requestIdOf?: (req: Request) => string | undefined
  /** Verifies bearer tokens; by default, the IdP's tokens when `config.jwt.jwksUri` is set, else the HS256 tokens this app issues. */
  verifyToken?: TokenVerifier
  /** The built SPA to serve at `/` (dev server only: on AWS, S3 and CloudFront serve it). */
  publicDir?: string
  /** Existing Express code behind the token check; by default the list in app/existing/mounts.ts. */
  mounts?: readonly Mount[]
}

/** Builds the whole app from its dependencies. Never listens and never reads the environment. */
export function createApp(deps: Deps): Express {
  const { config, db, clock, logger } = deps
  const verifyToken = deps.verifyToken ?? createTokenVerifier(config.jwt, clock)
  const tableName = config.tableName
  const notes = createNotesRepository({ db, tableName, cursorKey: config.cursorKey, clock })

  const app = express()
  app.set('etag', false) // ETags here are note versions, set by the routes
  app.set('query parser', 'simple')

  // Off the production path the dev server is plain HTTP: without this, Safari upgrades the SPA's own scripts to https.
  const upgradeInsecureRequests = config.production ? [] : null
  app.use(requestId(deps.requestIdOf), accessLog(logger), helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests } } }), cors(config.corsOrigins), jsonBody())

  resource(app, '/health', { get: (_req, res) => void res.json({ status: 'ok' }) })
  let openapi: object | undefined
  resource(app, '/openapi.json', { get: (_req, res) => void res.json((openapi ??= openApiDocument({ ownAuth: !config.jwt.jwksUri }))) })

  // Routers with zod schemas are built by the first request that reaches them: in the Lambda bundle their
  // modules are then loaded too (see scripts/build-lambda.mjs), so a cold start answering /health skips them.

  if (!config.jwt.jwksUri) {
    const users = createUsersRepository({ db, tableName })
    app.use('/auth', builtOnFirstRequest(() => authRoutes({ users, jwt: config.jwt, clock })))
  }

  const api = express.Router()
  resource(api, '/me', { get: (req, res) => void res.json({ id: req.user!.id, email: req.user!.email ?? null }) })
  api.use('/notes', builtOnFirstRequest(() => notesRoutes(notes)))
  api.use('/trash', builtOnFirstRequest(() => trashRoutes(notes)))
  app.use('/api', requireAuth(verifyToken), api)
  app.use(mountExisting(deps.mounts ?? mounts, { verifyToken, logger }))

  if (deps.publicDir) app.use(staticSite(deps.publicDir))
  app.use(notFound, errorHandler(logger))
  return app
}

/** A router made by `build` when the first request reaches it, then the same router for every request. */
function builtOnFirstRequest(build: () => Router): RequestHandler {
  let router: Router | undefined
  return function routerOnFirstRequest(req, res, next) {
    router ??= build()
    router(req, res, next)
  }
}
