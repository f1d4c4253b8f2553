import type { JwtConfig } from '../config'
import type { JwksOptions } from './jwks'
import { ownTokenVerifier, type TokenVerifier } from './tokens'

/**
 * The token verifier the configuration asks for: tokens from the identity provider at `jwksUri` when it
 * is set, else the HS256 tokens this app issues. Build it once per app (so once per Lambda container):
 * the JWKS key cache lives inside it. Both give the same Identity, so routes never know which runs.
 * @example const verifyToken = createTokenVerifier(config.jwt, () => new Date())
 */
export function createTokenVerifier(config: JwtConfig, clock: () => Date, jwksOptions?: JwksOptions): TokenVerifier {
  if (!config.jwksUri) return ownTokenVerifier(config, clock)
  // Required only in JWKS mode: own-token mode never uses jwks-rsa and its JOSE library, and loading them
  // anyway cost a cold start about 0.15x of the hello-world bundle's (docs/BENCHMARKS.md, "Loading").
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- chosen by configuration, see above
  const { jwksVerifier } = require('./jwks') as typeof import('./jwks')
  return jwksVerifier(config, clock, jwksOptions)
}
