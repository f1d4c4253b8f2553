import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import express, { type Express } from 'express'
import { requireAuth, type TokenVerifier } from './auth/require-auth'
import { authRoutes } from './auth/routes'
import { createUsersRepository } from './auth/users-repository'
import { createTokenVerifier } from './auth/verifier'
import { mountExisting, type Mount } from './existing'
import { mounts } from './existing/mounts'
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

  return createAppShell(deps, (app) => {
    resource(app, '/health', { get: (_req, res) => void res.json({ status: 'ok' }) })
    let openapi: object | undefined
    resource(app, '/openapi.json', { get: (_req, res) => void res.json((openapi ??= openApiDocument({ ownAuth: !config.jwt.jwksUri }))) })

    if (!config.jwt.jwksUri) {
      const users = createUsersRepository({ db, tableName })
      app.use('/auth', authRoutes({ users, jwt: config.jwt, clock }))
    }

    const api = express.Router()
    resource(api, '/me', { get: (req, res) => void res.json({ id: req.user!.id, email: req.user!.email ?? null }) })
    api.use('/notes', notesRoutes(notes))
    api.use('/trash', trashRoutes(notes))
    app.use('/api', requireAuth(verifyToken), api)
    app.use(mountExisting(deps.mounts ?? mounts, { verifyToken, logger }))

    if (deps.publicDir) app.use(staticSite(deps.publicDir))
  })
}
