import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { Express, Request } from 'express'
import { createAccountsRepository } from './auth/accounts'
import { meRoutes } from './auth/me'
import { createPasswordReset } from './auth/password-reset'
import { refreshCookie } from './auth/refresh-cookie'
import { requireAuth } from './auth/require-auth'
import { authRoutes } from './auth/routes'
import { createSignInDoor, type SignInDoor } from './auth/sign-in-door'
import { createSignInsRepository } from './auth/sign-ins'
import { createThrottle } from './auth/throttle'
import type { TokenVerifier } from './auth/tokens'
import { createTokenVerifier } from './auth/verifier'
import type { Mount, MountList } from './existing/mount'
import { back, expressApp, front, type ShellDeps } from './http/app-shell'
import { serviceRoutes } from './http/service-routes'
import { sitePaths, type SitePaths } from './http/site-paths'
import { staticSite } from './http/static-site'
import type { Mailer } from './mail/mailer'
import { createNotesRepository } from './notes/repository'
import { exportRoutes, notesRoutes, trashRoutes } from './notes/routes'
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
  /**
   * Existing Express code at its own URLs (app/existing): the entries pass the list of
   * app/existing/mounts.ts, tests their own. None by default, and then app/existing is never loaded:
   * the mount layer comes with the mounts (see `mount()`).
   */
  mounts?: MountList
  /**
   * Sends the password-reset emails: Amazon SES on AWS (lambda.ts), a local outbox in dev and tests
   * (app/mail/mailer.ts). Required with the app's own sign-in; unused with an external identity provider.
   */
  mailer?: Mailer
  /** The least time `POST /auth/password-reset` takes to answer, whether or not the account exists (app/auth/password-reset.ts); 1000 ms by default. */
  passwordResetAnswerMs?: number
}

const built = new WeakMap<Express, { startUp: Promise<void>; paths: SitePaths }>()

/** Settles when the start-up work of every mount of `app` has (mount option `ready`); rejects with the first failure. */
export function startUpOf(app: Express): Promise<void> {
  return built.get(app)?.startUp ?? Promise.resolve()
}

/** Who answers which paths of the site `app` serves: the function's and the SPA's (app/http/site-paths.ts). */
export function sitePathsOf(app: Express): SitePaths {
  return built.get(app)?.paths ?? sitePaths([])
}

/**
 * Builds the whole app from its dependencies: every middleware and route below, in the order a
 * request meets them. Never listens and never reads the environment. The routes under each path are
 * declared in a route table beside their handlers (app/http/routes.ts), which the OpenAPI document reads too.
 */
export function createApp(deps: Deps): Express {
  const { config, db, clock, logger } = deps
  const ownAuth = !config.jwt.jwksUri
  const verifyToken = deps.verifyToken ?? createTokenVerifier(config.jwt, clock)
  const { tableName } = config
  const notes = createNotesRepository({ db, tableName, cursorKey: config.cursorKey, clock })
  const listed = deps.mounts ?? []
  const mounts: readonly Mount[] = typeof listed === 'function' ? listed({ db, tableName, config }) : listed
  const layer = mounts[0]?.layer
  const clientAddressOf = deps.clientAddressOf ?? ((req: Request) => req.socket.remoteAddress)
  const signIn = ownAuth ? signInParts(deps, clientAddressOf) : undefined
  const paths = sitePaths(mounts.map((m) => m.path))
  const site = deps.publicDir ? staticSite(deps.publicDir, paths.spaBase) : undefined

  const app = expressApp()
  const startUp = layer ? layer.ready(mounts) : Promise.resolve()
  startUp.catch(() => undefined) // each failure is logged by its mount, and fails that mount's requests
  built.set(app, { startUp, paths })
  // Request id, path prefix, access log, helmet, CORS, then JSON bodies (mounted code gets its bodies unread).
  app.use(front({ ...deps, bodiesLeftAlone: layer && ((req) => layer.isForMount(mounts, req.path)) }))
  const pageRenewal = layer && signIn ? layer.routeTables : [] // GET /auth/page, where the layer serves it
  app.use(serviceRoutes(() => openApiDocument({ ownAuth, more: pageRenewal }))) // /health, /openapi.json
  if (signIn) app.use('/auth', authRoutes({ ...signIn, config, verifyToken, clock, clientAddressOf }))
  app.use('/api', requireAuth(verifyToken)) // a bearer token for everything below /api
  app.use('/api/me', meRoutes())
  app.use('/api/notes/export', exportRoutes(notes)) // before /api/notes/:id takes "export" for an id
  app.use('/api/notes', notesRoutes(notes))
  app.use('/api/trash', trashRoutes(notes))
  // The SPA's files, then mounted apps (one at `/` answers all but the SPA's paths), then the SPA's pages.
  if (site) app.use(site.files)
  if (layer)
    app.use(layer.router(mounts, { config, db, tableName, verifyToken, logger, clock, door: signIn?.door, signIns: signIn?.signIns }))
  if (site) app.use(site.pages)
  app.use(back(deps)) // 404, problem+json for every error
  return app
}

/** This app's own sign-in: accounts, sign-ins, the throttle and the door that /auth and mounted login forms share. */
function signInParts(deps: Deps, clientAddressOf: (req: Request) => string | undefined) {
  const { config, db, clock } = deps
  const { tableName, signIn } = config
  const accounts = createAccountsRepository({ db, tableName })
  const signIns = createSignInsRepository({
    db,
    tableName,
    clock,
    idleSeconds: signIn.refreshTtlSeconds,
    maxAgeSeconds: signIn.maxAgeSeconds,
  })
  const throttle = createThrottle({
    db,
    tableName,
    clock,
    signInPerLogin: signIn.loginLimitPerEmail,
    signInPerAddress: signIn.loginLimitPerAddress,
    registrationsPerAddress: signIn.registerLimitPerAddress,
  })
  const door: SignInDoor = createSignInDoor({
    accounts,
    signIns,
    throttle,
    cookie: refreshCookie(config.production),
    config,
    clock,
    clientAddressOf,
  })
  const { logger, mailer } = deps
  if (!mailer) throw new Error('createApp needs a mailer (deps.mailer) for password resets when the app signs people in itself')
  const answerAfterMs = deps.passwordResetAnswerMs ?? 1000
  const passwordReset = createPasswordReset({
    db,
    tableName,
    clock,
    logger,
    accounts,
    signIns,
    throttle,
    mailer,
    appUrl: config.appUrl,
    answerAfterMs,
  })
  return { accounts, signIns, throttle, door, passwordReset }
}
