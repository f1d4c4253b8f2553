import { createPublicKey, type KeyObject } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import jwt, { type JwtPayload } from 'jsonwebtoken'
import { JwksClient } from 'jwks-rsa'
import type { JwtConfig } from '../config'
import { HttpError } from '../errors'
import type { Identity } from './identity'
import { identityFromClaims, invalidToken, type TokenVerifier } from './tokens'

/** Tuning of the JWKS cache; the defaults suit Auth0 and Cognito, tests shorten them. */
export interface JwksOptions {
  /** How long a fetched key set is trusted before the next token makes it fetched again. */
  maxAgeMs?: number
  /** At most this many JWKS fetches in any 60 s, whatever triggered them: a flood of made-up `kid`s costs the IdP little. */
  fetchesPerMinute?: number
  /** A JWKS answer slower than this counts as unreachable; kept short, as a request waits for it. */
  timeoutMs?: number
}

const defaults: Required<JwksOptions> = { maxAgeMs: 10 * 60_000, fetchesPerMinute: 5, timeoutMs: 3000 }
const windowMs = 60_000
const clockToleranceSeconds = 30
/** Tokens from an identity provider are signed with a private key; HS256 here would let the public key act as a secret. */
const algorithms: jwt.Algorithm[] = ['RS256', 'ES256']

/** Finds the public key a `kid` names; throws 401 for a kid the IdP does not publish, 503 when the JWKS cannot be fetched. */
interface KeyStore {
  getKey(kid: string): Promise<KeyObject>
}

/**
 * The signing keys published at a JWKS URL, fetched on first use and kept for `maxAgeMs`. An unknown
 * `kid` makes one refetch, so a rotated-in key works on first sight; fetches are capped per minute and
 * shared by concurrent callers. When the IdP is down, keys already known keep working.
 */
function createKeyStore(fetchKeys: () => Promise<Map<string, KeyObject>>, clock: () => Date, options: JwksOptions = {}): KeyStore {
  const { maxAgeMs, fetchesPerMinute } = { ...defaults, ...options }
  let keys = new Map<string, KeyObject>()
  let fetchedAt = -Infinity
  let lastFailure: unknown
  let inFlight: Promise<void> | undefined
  const fetchTimes: number[] = []

  function mayFetch(now: number): boolean {
    while (fetchTimes.length > 0 && fetchTimes[0] <= now - windowMs) fetchTimes.shift()
    return inFlight !== undefined || fetchTimes.length < fetchesPerMinute
  }

  function refresh(now: number): Promise<void> {
    if (inFlight) return inFlight
    fetchTimes.push(now)
    function replaceKeys(fetched: Map<string, KeyObject>) {
      keys = fetched // a key the IdP dropped goes with the old set
      fetchedAt = now
      lastFailure = undefined
    }
    function rememberFailure(err: unknown): never {
      lastFailure = err
      throw err
    }
    inFlight = fetchKeys()
      .then(replaceKeys, rememberFailure)
      .finally(() => void (inFlight = undefined))
    return inFlight
  }

  function unavailable(now: number, cause: unknown): HttpError {
    const nextSlot = fetchTimes.length >= fetchesPerMinute ? fetchTimes[0] + windowMs - now : 0
    return new HttpError(503, 'Service Unavailable', {
      detail: 'The identity provider could not be reached to check this token; try again shortly',
      headers: { 'Retry-After': String(Math.max(5, Math.ceil(nextSlot / 1000))) },
      cause,
    })
  }

  return {
    async getKey(kid) {
      const now = clock().getTime()
      const known = keys.get(kid)
      if (known && now - fetchedAt < maxAgeMs) return known
      if (mayFetch(now)) {
        try {
          await refresh(now)
        } catch (err) {
          if (known) return known // stale, but the IdP is down and it was valid a moment ago
          throw unavailable(now, err)
        }
        const key = keys.get(kid)
        if (key) return key
        throw invalidToken(new Error(`the JWKS has no key "${kid}"`))
      }
      if (known) return known
      if (lastFailure !== undefined) throw unavailable(now, lastFailure)
      throw invalidToken(new Error(`the JWKS has no key "${kid}" (refetch rate-limited)`))
    },
  }
}

/** Fetches a JWKS with jwks-rsa (which turns RSA and EC JWKs into PEM) and indexes its signing keys by `kid`. */
function jwksFetcher(jwksUri: string, timeoutMs: number): () => Promise<Map<string, KeyObject>> {
  // Caching and rate limiting are the key store's, on the app's clock; the client only fetches.
  // No keep-alive: fetches are minutes apart, and a socket kept across a frozen Lambda may be dead on thaw.
  const requestAgent = jwksUri.startsWith('https:') ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false })
  const client = new JwksClient({ jwksUri, cache: false, rateLimit: false, timeout: timeoutMs, requestAgent })
  return async function fetchJwks() {
    const signingKeys = await client.getSigningKeys()
    return new Map(signingKeys.filter((key) => key.kid).map((key) => [key.kid, createPublicKey(key.getPublicKey())]))
  }
}

/**
 * Verifies tokens from an external identity provider (Auth0, Cognito) against its JWKS: RS256 or ES256 only,
 * `iss` and `aud` checked, `exp` required, 30 s of clock skew. Build it once per app: the key cache lives in it.
 * @example createApp({ ...deps, verifyToken: jwksVerifier(config.jwt, clock) })
 */
export function jwksVerifier(config: JwtConfig, clock: () => Date, options: JwksOptions = {}): TokenVerifier {
  if (!config.jwksUri) throw new Error('jwksVerifier needs JWT_JWKS_URI')
  const keys = createKeyStore(jwksFetcher(config.jwksUri, options.timeoutMs ?? defaults.timeoutMs), clock, options)

  return async function verifyJwksToken(token: string): Promise<Identity> {
    const decoded = jwt.decode(token, { complete: true })
    if (!decoded || typeof decoded.payload === 'string') throw invalidToken(new Error('not a JWT'))
    const { alg, kid } = decoded.header
    // Checked before any key lookup, so `alg: none` or HS256 tokens never reach the JWKS.
    if (!algorithms.includes(alg as jwt.Algorithm)) throw invalidToken(new Error(`alg ${alg} is not accepted`))
    if (typeof kid !== 'string' || kid === '') throw invalidToken(new Error('token has no kid'))

    const key = await keys.getKey(kid)
    let claims: JwtPayload
    try {
      claims = jwt.verify(token, key, {
        algorithms,
        issuer: config.issuer,
        clockTolerance: clockToleranceSeconds,
        clockTimestamp: Math.floor(clock().getTime() / 1000),
      }) as JwtPayload
    } catch (err) {
      throw invalidToken(err)
    }
    checkAudience(claims, config.audience)
    const identity = identityFromClaims(claims)
    return { ...identity, scopes: unprefixedScopes(identity.scopes, config.audience) }
  }
}

/**
 * `aud` must name this API. Cognito access tokens have no `aud`: they are accepted when their `client_id`
 * is JWT_AUDIENCE, or when they carry scopes of the resource server whose identifier is JWT_AUDIENCE.
 * Cognito ID tokens (`token_use: "id"`) are for the client app, never for an API, so they are refused.
 */
function checkAudience(claims: JwtPayload, audience: string): void {
  if (claims.token_use !== undefined && claims.token_use !== 'access') throw invalidToken(new Error(`token_use is ${claims.token_use}`))
  if (claims.aud !== undefined) {
    if ([claims.aud].flat().includes(audience)) return
    throw invalidToken(new Error('token is for another audience'))
  }
  const forThisApi =
    claims.token_use === 'access' &&
    (claims.client_id === audience ||
      (typeof claims.scope === 'string' && claims.scope.split(' ').some((s) => s.startsWith(`${audience}/`))))
  if (!forThisApi) throw invalidToken(new Error('token has no aud for this API'))
}

/** Cognito names custom scopes `<resource server>/<scope>`; the routes ask for the bare `<scope>` of this API. */
function unprefixedScopes(scopes: string[], audience: string): string[] {
  const prefix = `${audience}/`
  return [...new Set(scopes.map((scope) => (scope.startsWith(prefix) ? scope.slice(prefix.length) : scope)))]
}
