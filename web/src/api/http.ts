import { ApiError, problemOf } from './problem'

/** Set at build time; unset, the API is on the page's own origin. */
export const baseUrl = (import.meta.env.VITE_API_URL ?? '').replace(/\/+$/, '')

/**
 * How calls to `/auth/*` carry the refresh cookie. On the page's own origin (the dev server, or
 * one CloudFront distribution in front of both), 'same-origin' sends and stores it. An API on
 * another origin would need 'include', and the browser then only keeps the cookie if that API
 * answers with `Access-Control-Allow-Credentials`, which this API's CORS never does (it is bearer
 * only): such a build signs in for as long as the tab lives, and asks again after a reload.
 */
export const cookieCredentials: RequestCredentials =
  !baseUrl || new URL(baseUrl, location.href).origin === location.origin ? 'same-origin' : 'include'

export interface Reply<T> {
  data: T
  /** The note's version as the `ETag` header gives it, for a later `If-Match`. */
  etag: string | null
}

export interface RequestOptions {
  body?: unknown
  headers?: Record<string, string>
  /** 'omit' for the bearer-token API; the cookie credentials for the sign-in routes. */
  credentials?: RequestCredentials
}

/** One `fetch` to the API. Problem details become an ApiError; an unreachable server is status 0. */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(baseUrl + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: options.credentials ?? 'omit',
    })
  } catch {
    throw new ApiError(0, 'Could not reach the server. Check your connection and try again.')
  }
  if (!res.ok) throw await problemOf(res)
  const etag = res.headers.get('ETag')
  // 204, and the 202 of a password-reset request, have no body.
  const text = res.status === 204 ? '' : await res.text()
  const data = (text ? JSON.parse(text) : undefined) as T
  return { data, etag }
}
