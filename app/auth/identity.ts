/** Who is calling, as verified from the token. The same shape whichever issuer signed the token. */
export interface Identity {
  /** The token's `sub`: the user id that owns the caller's data. */
  id: string
  email?: string
  /** The token's `sid`: which sign-in (browser session) it was issued to; only this app's own tokens have one. */
  sessionId?: string
  scopes: string[]
  /** Every verified claim, for code that needs more than the fields above. */
  claims: Record<string, unknown>
}
