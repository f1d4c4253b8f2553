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
  // Required here, not imported above: jwks-rsa and its JOSE library cost cold-start time that own-token mode never needs.
  const { jwksVerifier } = require('./jwks') as typeof import('./jwks')
  return jwksVerifier(config, clock, jwksOptions)
}
