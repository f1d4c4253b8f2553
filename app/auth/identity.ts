import type { Request } from 'express'

/** Who is calling, as verified from the token. The same shape whichever issuer signed the token. */
export interface Identity {
  /** The token's `sub`: the user id that owns the caller's data. */
  id: string
  email?: string
  /** The token's `sid`: which sign-in it was issued to; only this app's own tokens have one. */
  signInId?: string
  scopes: string[]
  /** Every verified claim, for code that needs more than the fields above. */
  claims: Record<string, unknown>
}

/**
 * The verified identity of each request, kept beside the request rather than on it: mounted code
 * owns `req.user` and may set it to anything (its own user record, say), and code that runs before
 * a check (another mount, a middleware) cannot plant an identity here, as nothing outside the
 * credential checks can reach this map. Keyed by the request object, so it lives and dies with it.
 */
const verified = new WeakMap<Request, Identity>()

/** The identity a credential check verified for this request, or undefined when none did. */
export function identityOf(req: Request): Identity | undefined {
  return verified.get(req)
}

/** Records the identity verified for this request; only credential checks (requireAuth, a mount's) and signIn call it. */
export function setIdentity(req: Request, identity: Identity | undefined): void {
  if (identity) verified.set(req, identity)
  else verified.delete(req)
}

/** The identity of a request that passed requireAuth; a route behind it never runs without one. */
export function verifiedIdentity(req: Request): Identity {
  const identity = verified.get(req)
  if (!identity) throw new Error(`${req.method} ${req.originalUrl} ran without a verified identity: mount it behind requireAuth`)
  return identity
}
