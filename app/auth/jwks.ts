import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import jwt, { type JwtPayload } from 'jsonwebtoken'
import type { JwtConfig } from '../config'
import { HttpError } from '../errors'
import type { Identity } from './identity'
import { identityFromClaims, invalidToken, type TokenVerifier } from './tokens'

/** Tuning of the JWKS cache; the defaults suit Auth0 and Cognito, tests shorten them. */
export interface JwksOptions {
  /** How long a fetched key set is trusted before the next token makes it fetched again. */
  maxAgeMs?: number
  /** A burst of at most this many JWKS fetches in any 60 s, whatever triggered them: a flood of made-up `kid`s costs the IdP little. */
  fetchesPerMinute?: number
  /**
   * Beyond the burst, one fetch is allowed this long after the previous one, whatever the burst budget says: a key
   * the IdP has just published is accepted within this time even after an outage or a flood of junk `kid`s spent the
   * budget, which then cost the IdP at most one fetch per interval. It also caps the wait between tries in an outage.
   */
  refetchIntervalMs?: number
  /** A JWKS answer slower than this counts as unreachable; kept short, as a request waits for it. */
  timeoutMs?: number
}

const defaults: Required<JwksOptions> = { maxAgeMs: 10 * 60_000, fetchesPerMinute: 5, refetchIntervalMs: 10_000, timeoutMs: 3000 }
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
 * `kid` makes one refetch, so a rotated-in key works on first sight; fetches come in a burst budget per
 * minute plus one per `refetchIntervalMs` beyond it, and are shared by concurrent callers. When the IdP
 * is down, keys already known keep working.
 */
function createKeyStore(fetchKeys: () => Promise<Map<string, KeyObject>>, clock: () => Date, options: JwksOptions = {}): KeyStore {
  const { maxAgeMs, fetchesPerMinute, refetchIntervalMs } = { ...defaults, ...options }
  let keys = new Map<string, KeyObject>()
  let fetchedAt = -Infinity
  let lastFetchStartedAt = -Infinity
  let lastFailure: unknown
  let inFlight: Promise<void> | undefined
  const fetchTimes: number[] = []

  function mayFetch(now: number): boolean {
    while (fetchTimes.length > 0 && fetchTimes[0] <= now - windowMs) fetchTimes.shift()
    return inFlight !== undefined || fetchTimes.length < fetchesPerMinute || now - lastFetchStartedAt >= refetchIntervalMs
  }

  function refresh(now: number): Promise<void> {
    if (inFlight) return inFlight
    fetchTimes.push(now)
    lastFetchStartedAt = now
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
    const budgetSlot = fetchTimes.length >= fetchesPerMinute ? fetchTimes[0] + windowMs - now : 0
    const nextSlot = Math.min(budgetSlot, lastFetchStartedAt + refetchIntervalMs - now)
    return new HttpError(503, 'Service Unavailable', {
      detail: 'The identity provider could not be reached to check this token; try again shortly',
      headers: { 'Retry-After': String(Math.min(Math.ceil(refetchIntervalMs / 1000), Math.max(5, Math.ceil(nextSlot / 1000)))) },
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

/** A JWKS bigger than this is not one: IdPs publish a few keys, a few KB. */
const maxJwksBytes = 256 * 1024

/**
 * Fetches a JWKS and indexes its public signing keys by `kid`: RSA and EC keys (Node turns a JWK into a
 * key itself) whose `use` is `sig` or unset; encryption keys, private keys and key types Node cannot
 * read are skipped. A set with no usable key, an HTTP error, an answer that is not a JWKS and one slower
 * than `timeoutMs` all fail the fetch, which the key store turns into a 503 for keys it has not seen.
 */
function jwksFetcher(jwksUri: string, timeoutMs: number): () => Promise<Map<string, KeyObject>> {
  return async function fetchJwks() {
    const { keys } = (await getJson(jwksUri, timeoutMs)) as { keys?: unknown }
    if (!Array.isArray(keys)) throw new Error('the JWKS has no "keys" array')
    const signing = new Map<string, KeyObject>()
    for (const jwk of keys as JsonWebKey[]) {
      if (typeof jwk?.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig') || (jwk.kty !== 'RSA' && jwk.kty !== 'EC')) continue
      if (jwk.d !== undefined) continue // a private key published by mistake is not one to trust
      try {
        signing.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }))
      } catch {
        continue // a malformed key spoils only itself
      }
    }
    if (signing.size === 0) throw new Error('the JWKS has no RSA or EC signing keys')
    return signing
  }
}

/**
 * GETs a JSON document: any status but 2xx, a body over maxJwksBytes or not JSON, or no whole answer
 * within `timeoutMs` is an error. No keep-alive: fetches are minutes apart, and a socket kept across a
 * frozen Lambda may be dead on thaw.
 */
function getJson(url: string, timeoutMs: number): Promise<unknown> {
  const get = url.startsWith('https:') ? https.get : http.get
  return new Promise((resolve, reject) => {
    const request = get(
      url,
      { agent: false, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) },
      (response) => {
        const chunks: Buffer[] = []
        let bytes = 0
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length
          if (bytes > maxJwksBytes) request.destroy(new Error(`the JWKS is over ${maxJwksBytes} bytes`))
          else chunks.push(chunk)
        })
        response.on('end', () => {
          const status = response.statusCode ?? 0
          if (status < 200 || status > 299) return reject(new Error(`the JWKS answered ${status}`))
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
          } catch {
            reject(new Error('the JWKS is not JSON'))
          }
        })
        response.on('error', reject)
      },
    )
    request.on('error', reject)
  })
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
