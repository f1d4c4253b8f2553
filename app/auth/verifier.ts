import type { JwtConfig } from '../config'
import { jwksVerifier, type JwksOptions } from './jwks'
import { ownTokenVerifier, type TokenVerifier } from './tokens'

/**
 * The token verifier the configuration asks for: tokens from the identity provider at `jwksUri` when it
 * is set, else the HS256 tokens this app issues. Build it once per app (so once per Lambda container):
 * the JWKS key cache lives inside it. Both give the same Identity, so routes never know which runs.
 * @example const verifyToken = createTokenVerifier(config.jwt, () => new Date())
 */
export function createTokenVerifier(config: JwtConfig, clock: () => Date, jwksOptions?: JwksOptions): TokenVerifier {
  return config.jwksUri ? jwksVerifier(config, clock, jwksOptions) : ownTokenVerifier(config, clock)
}
