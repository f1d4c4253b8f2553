import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import express, { type Express, type Request, type RequestHandler, type Router } from 'express'
import { createLoginThrottle } from './auth/login-throttle'
import { requireAuth } from './auth/require-auth'
import { authRoutes } from './auth/routes'
import { createSessionsRepository } from './auth/sessions'
import type { TokenVerifier } from './auth/tokens'
import { createUsersRepository } from './auth/users-repository'
import { createTokenVerifier } from './auth/verifier'
import { isForMount, mountExisting, type MountList } from './existing'
import { mounts as ownMounts } from './existing/mounts'
import { refreshSessions, type BrowserSignIn } from './existing/sign-in'
import { createAppShell, type ShellDeps } from './http/app-shell'
import { resource } from './http/routes'
import { staticSite } from './http/static-site'
import { createNotesRepository } from './notes/repository'
import { notesRoutes, trashRoutes } from './notes/routes'
import { openApiDocument } from './openapi'

/** What createApp is built from: the shell's config, logger and request ids, and the rest below. */
export interface Deps extends ShellDeps {
  db: DynamoDBDocumentClient
  clock: () => Date
  /** Verifies bearer tokens; by default, the IdP's tokens when `config.jwt.jwksUri` is set, else the HS256 tokens this app issues. */
  verifyToken?: TokenVerifier
  /**
   * The client's address for login throttling, as the platform saw it (never a header the client can
   * set); by default the socket's peer, right for the dev server. lambda.ts passes `lambdaClientAddress`.
   */
  clientAddressOf?: (req: Request) => string | undefined
  /** The built SPA to serve at `/` (dev server only: on AWS, S3 and CloudFront serve it). */
  publicDir?: string
  /** Existing Express code at its own URLs; by default the list in app/existing/mounts.ts. */
  mounts?: MountList
}

/** Builds the whole app from its dependencies. Never listens and never reads the environment. */
export function createApp(deps: Deps): Express {
  const { config, db, clock, logger } = deps
  const verifyToken = deps.verifyToken ?? createTokenVerifier(config.jwt, clock)
  const tableName = config.tableName
  const notes = createNotesRepository({ db, tableName, cursorKey: config.cursorKey, clock })
  const listed = deps.mounts ?? ownMounts
  const mounts = typeof listed === 'function' ? listed({ db, tableName, config }) : listed
  const site = deps.publicDir ? staticSite(deps.publicDir) : undefined
  let browserSignIn: BrowserSignIn | undefined

  return createAppShell({ ...deps, bodiesLeftAlone: (req) => isForMount(mounts, req.path) }, (app) => {
    resource(app, '/health', { get: (_req, res) => void res.json({ status: 'ok' }) })
    let openapi: object | undefined
    resource(app, '/openapi.json', { get: (_req, res) => void res.json((openapi ??= openApiDocument({ ownAuth: !config.jwt.jwksUri }))) })

    // Routers with zod schemas are built by the first request that reaches them: in the Lambda bundle their
    // modules are then loaded too (see scripts/build-lambda.mjs), so a cold start answering /health skips them.

    if (!config.jwt.jwksUri) {
      const users = createUsersRepository({ db, tableName })
      const sessions = createSessionsRepository({ db, tableName, clock, refreshTtlSeconds: config.signIn.refreshTtlSeconds })
      const { production, jwt, signIn } = config
      browserSignIn = refreshSessions({ sessions, jwt, production, refreshTtlSeconds: signIn.refreshTtlSeconds, clock })
      const { loginLimitPerEmail: perEmail, loginLimitPerAddress: perAddress } = config.signIn
      const throttle = createLoginThrottle({ db, tableName, clock, perEmail, perAddress })
      const clientAddressOf = deps.clientAddressOf ?? ((req: Request) => req.socket.remoteAddress)
      app.use(
        '/auth',
        builtOnFirstRequest(() => authRoutes({ config, users, sessions, throttle, verifyToken, clock, clientAddressOf })),
      )
    }

    const api = express.Router()
    resource(api, '/me', { get: (req, res) => void res.json({ id: req.user!.id, email: req.user!.email ?? null }) })
    api.use(
      '/notes',
      builtOnFirstRequest(() => notesRoutes(notes)),
    )
    api.use(
      '/trash',
      builtOnFirstRequest(() => trashRoutes(notes)),
    )
    app.use('/api', requireAuth(verifyToken), api)
    // The SPA's files, then mounted apps (one at `/` answers what is left), then the SPA's pages.
    if (site) app.use(site.files)
    app.use(mountExisting(mounts, { config, db, tableName, verifyToken, logger, clock, browserSignIn }))
    if (site) app.use(site.pages)
  })
}

/** A router made by `build` when the first request reaches it, then the same router for every request. */
function builtOnFirstRequest(build: () => Router): RequestHandler {
  let router: Router | undefined
  return function routerOnFirstRequest(req, res, next) {
    router ??= build()
    router(req, res, next)
  }
}
