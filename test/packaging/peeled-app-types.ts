/**
 * Checked by `npm run typecheck`, not run: a peeled-off function takes an Express 4 app or router as a
 * team's code types it (@types/express 4, installed here as @types/express4), with no cast.
 */
import { createPeeledApp, type PeeledDeps } from '../../functions/peeled-app'

type Express4 = typeof import('../../node_modules/@types/express4')

export function peelLegacyRoutes(deps: PeeledDeps, express4: Express4) {
  const legacyApp = express4()
  legacyApp.get('/reports/:year', (req, res) => void res.json({ year: req.params.year }))
  const legacyRouter = express4.Router()
  return [createPeeledApp(deps, { '/api/legacy': legacyApp }), createPeeledApp(deps, { '/api/legacy-router': legacyRouter })]
}
