import { token } from '../session'
import { ApiError, problemOf } from './problem'

/** Set at build time; unset, the API is on the page's own origin. */
const baseUrl = (import.meta.env.VITE_API_URL ?? '').replace(/\/+$/, '')

let onUnauthorized: () => void = () => {}

/** What to do when the API refuses the token (expired or revoked): set once, by main.ts. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler
}

export interface Reply<T> {
  data: T
  /** The note's version as the `ETag` header gives it, for a later `If-Match`. */
  etag: string | null
}

interface CallOptions {
  body?: unknown
  ifMatch?: string
  /** false for /auth/*, whose 401 means a wrong password, not an expired session. */
  auth?: boolean
}

/**
 * The one place that calls `fetch`. Sends the bearer token, turns problem details into ApiErrors,
 * and hands a 401 on an authenticated call to the unauthorized handler.
 */
export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const bearer = options.auth === false ? null : token()
  if (bearer) headers.Authorization = `Bearer ${bearer}`
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  if (options.ifMatch) headers['If-Match'] = options.ifMatch

  let res: Response
  try {
    res = await fetch(baseUrl + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'omit', // the token is the only credential; never cookies
    })
  } catch {
    throw new ApiError(0, 'Could not reach the server. Check your connection and try again.')
  }

  if (!res.ok) {
    const error = await problemOf(res)
    if (res.status === 401 && bearer) onUnauthorized()
    throw error
  }
  const etag = res.headers.get('ETag')
  const data = (res.status === 204 ? undefined : await res.json()) as T
  return { data, etag }
}
