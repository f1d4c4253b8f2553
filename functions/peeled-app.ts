import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { Express, Router } from 'express'
import { requireAuth } from '../app/auth/require-auth'
import type { TokenVerifier } from '../app/auth/tokens'
import { createTokenVerifier } from '../app/auth/verifier'
import { createDocumentClient } from '../app/db/client'
import { isForMount, mount, mountExisting, type ExistingApp, type ExistingCode } from '../app/existing'
import { isApp, type MountingDeps } from '../app/existing/mount'
import { isExpress4 } from '../app/existing/express4'
import { back, expressApp, front, type ShellDeps } from '../app/http/app-shell'

export interface PeeledDeps extends ShellDeps {
  clock: () => Date
  verifyToken?: TokenVerifier
  /** For a mounted app (its imported users); by default a client from `config`. */
  db?: DynamoDBDocumentClient
  /** For a mounted app, as createApp has it: the sign-in door its login form and pages use, and its sign-ins. */
  door?: MountingDeps['door']
  signIns?: MountingDeps['signIns']
}

/** What a peeled-off function serves at a path: one of this app's routers, or an existing (mounted) Express 4 or 5 app or router. */
export type PeeledRoutes = Record<string, Router | ExistingCode>

/**
 * The app a peeled-off function runs: the shell every function shares (request ids, access log,
 * helmet, CORS, JSON bodies; 404 and problem+json), with only the routes given. This app's own routers
 * go behind the token check, as under /api; an existing app (Express 4 or 5, from app/existing/mounts.ts)
 * is mounted exactly as `mount(path, app)` mounts it in the api function, so it answers the same (no
 * X-Powered-By, its route in the access log, its errors as problems). API Gateway sends this function
 * only its own routes; any other path it is handed is a 404. test/phase-two.test.ts checks that it
 * answers exactly as the whole app does.
 * @example createPeeledApp(deps, { '/api/notes/export': exportRoutes(notes) })
 * @example createPeeledApp(deps, { '/api/profile': profileApp }) // API Gateway sends it GET /api/profile/reports/{year}
 */
export function createPeeledApp(deps: PeeledDeps, routes: PeeledRoutes): Express {
  const verifyToken = deps.verifyToken ?? createTokenVerifier(deps.config.jwt, deps.clock)
  const mounted = Object.entries(routes).flatMap(([path, code]) => (isExistingApp(code) ? [mount(path, code)] : []))
  const app = expressApp()
  app.use(front({ ...deps, bodiesLeftAlone: (req) => isForMount(mounted, req.path) }))
  // As in createApp, the token check of /api comes before any mount under /api.
  if (mounted.some(({ path }) => /^\/api(\/|$)/.test(path))) app.use('/api', requireAuth(verifyToken))
  for (const [path, code] of Object.entries(routes)) {
    if (!isExistingApp(code)) app.use(path, requireAuth(verifyToken), code as Router)
  }
  app.use(mountExisting(mounted, mountingDeps(deps, verifyToken)))
  app.use(back(deps))
  return app
}

function mountingDeps(deps: PeeledDeps, verifyToken: TokenVerifier): MountingDeps {
  const { config, logger, clock, door, signIns } = deps
  return { config, logger, clock, door, signIns, verifyToken, db: deps.db ?? createDocumentClient(config), tableName: config.tableName }
}

/** An Express 4 app or router, or a whole Express 5 app: code that was mounted, not one of this app's routers. */
function isExistingApp(code: Router | ExistingCode): code is ExistingApp {
  return isExpress4(code) || isApp(code)
}
