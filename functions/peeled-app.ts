import type { Express, Router } from 'express'
import { requireAuth } from '../app/auth/require-auth'
import type { TokenVerifier } from '../app/auth/tokens'
import { createTokenVerifier } from '../app/auth/verifier'
import { createAppShell, type ShellDeps } from '../app/http/app-shell'

export interface PeeledDeps extends ShellDeps {
  clock: () => Date
  verifyToken?: TokenVerifier
}

/**
 * The app a peeled-off function runs: the shell every function shares (request ids, access log,
 * helmet, CORS, JSON bodies; 404 and problem+json), with only the routes given, each behind the token
 * check. API Gateway sends this function only its own routes; any other path it is handed is a 404.
 * test/phase-two.test.ts checks that it answers exactly as the whole app does.
 * @example createPeeledApp(deps, { '/api/notes/export': exportRoutes(notes) })
 */
export function createPeeledApp(deps: PeeledDeps, routes: Record<string, Router>): Express {
  const verifyToken = deps.verifyToken ?? createTokenVerifier(deps.config.jwt, deps.clock)
  return createAppShell(deps, (app) => {
    for (const [path, router] of Object.entries(routes)) app.use(path, requireAuth(verifyToken), router)
  })
}
