import { freshToken, renew, signInLost } from '../sign-in'
import { ApiError } from './problem'
import { request, type Reply } from './http'

export type { Reply } from './http'

interface CallOptions {
  body?: unknown
  ifMatch?: string
}

/**
 * An authenticated call: the bearer token in the header and never a cookie. A 401 means the
 * token lapsed or was refused: the token is renewed once (one refresh for every call that met the
 * 401 together) and the call sent again once; a second 401, or a renewal the server refuses,
 * ends the sign-in (`whenSignedOut` in session.ts says where the page goes).
 */
export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> {
  const send = (token: string | null) => {
    const headers: Record<string, string> = {}
    if (token) headers.Authorization = `Bearer ${token}`
    if (options.ifMatch) headers['If-Match'] = options.ifMatch
    return request<T>(method, path, { body: options.body, headers })
  }
  const token = await freshToken()
  try {
    return await send(token)
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401 || !token) throw err
    const renewed = await renew(token)
    if (!renewed) throw err
    try {
      return await send(renewed)
    } catch (again) {
      // A token fresh from the server refused at once: the sign-in was revoked in between.
      if (again instanceof ApiError && again.status === 401) signInLost()
      throw again
    }
  }
}
