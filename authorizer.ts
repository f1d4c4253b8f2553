/**
 * Optional AWS Lambda request authorizer for the HTTP API (payload format 2.0, simple responses).
 * It runs the app's own token verifier, so a token API Gateway lets through is one the app accepts;
 * the app still verifies every request itself.
 */
import { HttpError } from './app/errors'
import { loadConfig } from './app/config'
import { bearerToken, type TokenVerifier } from './app/auth/tokens'
import { createTokenVerifier } from './app/auth/verifier'

/** The parts of an HTTP API payload 2.0 request-authorizer event that this authorizer reads. */
export interface RequestAuthorizerEventV2 {
  version: '2.0'
  type: 'REQUEST'
  routeArn: string
  identitySource?: string[] | null
  headers?: Record<string, string | undefined>
  [field: string]: unknown
}

/** A simple response; `context` reaches the integration as `requestContext.authorizer.lambda`. */
export interface SimpleAuthorizerResult {
  isAuthorized: boolean
  context?: { sub: string; email: string; scopes: string }
}

/**
 * Builds the handler around a verifier. A bad or missing token is a deny (API Gateway answers 403 and may
 * cache it for that header); an unreachable JWKS throws instead, so API Gateway answers 500 and caches
 * nothing, and a valid token is not locked out for the cache's lifetime.
 */
export function createAuthorizer(verify: TokenVerifier) {
  return async function authorize(event: RequestAuthorizerEventV2, _context?: unknown): Promise<SimpleAuthorizerResult> {
    const token = bearerToken(authorizationOf(event))
    if (token === undefined) return { isAuthorized: false }
    try {
      const identity = await verify(token)
      return { isAuthorized: true, context: { sub: identity.id, email: identity.email ?? '', scopes: identity.scopes.join(' ') } }
    } catch (err) {
      if (err instanceof HttpError && err.status < 500) return { isAuthorized: false }
      throw err
    }
  }
}

/** HTTP API lowercases header names; the identity source holds the same value when it is `$request.header.Authorization`. */
function authorizationOf(event: RequestAuthorizerEventV2): string | undefined {
  const header = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1]
  return header ?? event.identitySource?.[0]
}

// Built once per container, like the app in lambda.ts: a bad config fails the cold start, and the JWKS cache outlives invocations.
const config = loadConfig(process.env)

/** The Lambda entry: `handler(event, context)`. */
export const handler = createAuthorizer(createTokenVerifier(config.jwt, () => new Date()))
