/**
 * The API's shapes as the SPA reads them. Kept here, and only here, so they can be swapped for
 * types generated from the OpenAPI document without touching the rest of the app.
 */
export interface Note {
  id: string
  title: string
  body: string
  tags: string[]
  createdAt: string
  updatedAt: string
  version: number
}

export interface NoteInput {
  title: string
  body: string
  tags: string[]
}

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

/** What register, login and refresh answer; the refresh cookie comes beside it. */
export interface SignedIn {
  token: string
  tokenType: string
  /** Seconds the access token lives from now. */
  expiresIn: number
  user: { id: string; email: string }
}

/** One live sign-in of the user, as `GET /auth/sessions` lists it. */
export interface SignInSession {
  id: string
  createdAt: string
  lastUsedAt: string
  userAgent: string | null
  /** The sign-in this browser is using. */
  current: boolean
}
