import { hkdfSync, randomUUID, type KeyObject } from 'node:crypto'
import { format } from 'node:util'
import type { Request, RequestHandler, Response } from 'express'
import type { Identity } from '../auth/identity'
import type { Logger } from '../logger'
import { sessionSeal } from '../deferred'
import { cookiesOf } from './credential'
import { signIn, signOut } from './sign-in'

/** What `req.session` answers for the signed-in identity. Never stored: it comes from the credential on every request. */
export type SessionFromIdentity = (identity: Identity) => Record<string, unknown>

/**
 * The default: where session-based code usually kept the user. `req.session.user`, `req.session.userId`
 * and passport's `req.session.passport.user` all name the signed-in user.
 */
export const defaultSession: SessionFromIdentity = (identity) => ({
  userId: identity.id,
  user: { id: identity.id, email: identity.email, scopes: identity.scopes },
  passport: { user: identity.id },
})

export interface SessionOptions {
  /** The fields answered from the signed-in identity (default {@link defaultSession}). Writes to them are not kept, and logged. */
  fromIdentity?: SessionFromIdentity
  /** Seconds a session lasts after it last changed; default one day. */
  maxAge?: number
  /** Where it is kept: `cookie` (the default: sealed in the cookie itself, up to 4 KB) or `table` (DynamoDB, TTL on `expiresAt`; the cookie holds a signed id). */
  store?: 'cookie' | 'table'
}

/** Where sessions are kept: a cookie's value opens to a session, a session seals to a cookie's value. */
export interface SessionStore {
  /** The session; undefined when the value was altered, sealed with another key, or expired. */
  open(value: string): Promise<Sealed | undefined>
  seal(session: Sealed, maxAgeSeconds: number): Promise<string>
  /** Forgets the session of a value (destroy, regenerate). */
  discard(value: string): Promise<void>
}

/** Browsers keep cookies of up to 4096 bytes, name and attributes included. */
export const maxCookieBytes = 4000

/** What express-session, connect-flash and passport put on a request, as this layer provides them. Only mounted code sees it. */
export interface SessionRequest extends Request {
  session: SessionData
  sessionID: string
  flash(type?: string, ...message: unknown[]): unknown
  isAuthenticated(): boolean
  isUnauthenticated(): boolean
  login(user: { id: string; email?: string }, options?: unknown, done?: unknown): void
  logIn(user: { id: string; email?: string }, options?: unknown, done?: unknown): void
  logout(options?: unknown, done?: unknown): void
  logOut(options?: unknown, done?: unknown): void
}

export type SessionData = Record<string, unknown> & {
  id: string
  cookie: Record<string, unknown>
  save(cb?: (err?: unknown) => void): SessionData
  reload(cb?: (err?: unknown) => void): SessionData
  regenerate(cb?: (err?: unknown) => void): SessionData
  destroy(cb?: (err?: unknown) => void): SessionData
  touch(): SessionData
  resetMaxAge(): SessionData
}

export interface Sealed {
  id: string
  /** The user the session belongs to; null while anonymous. */
  uid: string | null
  data: Record<string, unknown>
}

/** The key that seals session cookies, derived from the config's secret: never the secret itself. */
export function sessionKey(secret: KeyObject): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret.export(), 'notes-session', 'session-cookie-v1', 32))
}

/**
 * `req.session` that keeps what code writes, in an encrypted, authenticated cookie (a JWE, `dir` +
 * `A256GCM`, as iron-session seals its cookie): no server memory, so any copy of the function answers
 * the next request. The cookie is set when the response ends and the session changed; one over
 * {@link maxCookieBytes} is not set, and logs an error naming the route. A session belongs to the
 * user it was written for: another user (or a tampered cookie) starts a new one, and nothing in it
 * changes `req.user`. Also `req.flash` as connect-flash defines it, and passport's `req.login` and
 * `req.logout` as signIn and signOut.
 */
export function cookieSession(
  deps: { store: SessionStore; logger: Logger; path: string; production: boolean },
  options: SessionOptions = {},
): RequestHandler {
  const { store, logger, path, production } = deps
  const fromIdentity = options.fromIdentity ?? defaultSession
  const maxAge = options.maxAge ?? 86_400
  const name = production ? (path === '/' ? '__Host-session' : '__Secure-session') : 'session'
  const attributes = { httpOnly: true, sameSite: 'lax' as const, secure: production, path }

  return async function cookieSession(req, res, next) {
    const legacy = req as SessionRequest
    const presented = cookiesOf(req)[name]
    const opened = presented ? await store.open(presented) : undefined
    const loaded = opened && (opened.uid === null || opened.uid === req.user?.id) ? opened : undefined
    let reserved: string[] = []

    const create = (sealed: Sealed): SessionData => {
      const identityFields = req.user ? structuredClone(fromIdentity(req.user)) : {}
      reserved = Object.keys(identityFields)
      const session = Object.assign(structuredClone(sealed.data), identityFields) as SessionData
      Object.defineProperties(session, {
        id: { value: sealed.id, enumerable: false, writable: true, configurable: true },
        cookie: {
          value: { ...attributes, maxAge: maxAge * 1000, originalMaxAge: maxAge * 1000 },
          enumerable: false,
          writable: true,
          configurable: true,
        },
        save: callbackMethod(() => undefined),
        touch: plainMethod(() => (touched = true)),
        resetMaxAge: plainMethod(() => (touched = true)),
        reload: callbackMethod(() => void (legacy.session = create(loaded ?? fresh()))),
        regenerate: callbackMethod(() => void (legacy.session = create(fresh()))),
        destroy: callbackMethod(() => void delete (legacy as Partial<SessionRequest>).session),
      })
      legacy.sessionID = sealed.id
      return session
    }
    let touched = false
    const start = loaded ?? fresh()
    legacy.session = create(start)
    const before = JSON.stringify({ id: start.id, data: loaded ? start.data : {} })

    const end = res.end.bind(res) as (...args: unknown[]) => Response
    res.end = function endAfterSaving(this: Response, ...args: unknown[]) {
      if (res.headersSent) return end(...args)
      seal()
        .then((cookie) => {
          if (cookie === null) res.clearCookie(name, attributes)
          else if (cookie) res.append('Set-Cookie', cookie)
        })
        .catch((err: unknown) => logger.error('session not saved', { requestId: req.id, error: err }))
        .finally(() => end(...args))
      return res
    } as Response['end']

    /** The Set-Cookie value, null to clear it, undefined to leave the browser's cookie as it is. */
    async function seal(): Promise<string | null | undefined> {
      const session = (legacy as Partial<SessionRequest>).session
      if (!session) {
        if (!presented) return undefined
        await store.discard(presented)
        return null
      }
      const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>
      const identityFields = req.user ? fromIdentity(req.user) : {}
      const ignored = reserved.filter((field) => JSON.stringify(data[field]) !== JSON.stringify(identityFields[field]))
      if (ignored.length > 0) {
        logger.warn('session write ignored: these fields are answered from the sign-in; call signIn() to change who is signed in', {
          requestId: req.id,
          route: routeOf(req),
          fields: ignored,
        })
      }
      for (const field of reserved) delete data[field]
      // Signed out on this request: what the session held for that user goes, but for the message saying so.
      if (loaded?.uid && !req.user && session.id === loaded.id) {
        for (const field of Object.keys(data)) if (field !== 'flash') delete data[field]
      }
      const changed = JSON.stringify({ id: session.id, data }) !== before
      const rebound = loaded !== undefined && loaded.uid !== (req.user?.id ?? null)
      if (!changed && !touched && !rebound) return undefined
      if (Object.keys(data).length === 0 && !presented) return undefined
      // regenerate(): the old session goes, as express-session destroys it in its store.
      if (presented && opened && session.id !== opened.id) await store.discard(presented)
      const sealed = await store.seal({ id: session.id, uid: req.user?.id ?? null, data }, maxAge)
      const cookie = `${name}=${sealed}; Max-Age=${maxAge}; Path=${path}; HttpOnly; SameSite=Lax${production ? '; Secure' : ''}`
      if (cookie.length > maxCookieBytes) {
        logger.error('session not saved: it outgrew its cookie; keep large data in the table and only its key in the session', {
          requestId: req.id,
          route: routeOf(req),
          bytes: cookie.length,
          limit: maxCookieBytes,
          fields: Object.keys(data),
        })
        return undefined
      }
      return cookie
    }

    legacy.flash = flash
    legacy.isAuthenticated = () => req.user !== undefined
    legacy.isUnauthenticated = () => req.user === undefined
    legacy.login = legacy.logIn = (user, options, done) => {
      const callback = typeof options === 'function' ? options : done
      signIn(req, res, { id: String(user.id), email: user.email }).then(
        () => settle(callback),
        (err: unknown) => settle(callback, err),
      )
    }
    legacy.logout = legacy.logOut = (options, done) => {
      const callback = typeof options === 'function' ? options : done
      signOut(req, res).then(
        () => settle(callback),
        (err: unknown) => settle(callback, err),
      )
    }
    next()
  }
}

function fresh(): Sealed {
  return { id: randomUUID(), uid: null, data: {} }
}

/** Sessions sealed in the cookie itself: a JWE (`dir` + `A256GCM`) that expires with the session. */
export function sealedCookies(key: Uint8Array): SessionStore {
  return {
    async open(value) {
      try {
        const { payload } = await sessionSeal().jwtDecrypt(value, key, {
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
        })
        return asSealed(payload)
      } catch {
        return undefined
      }
    },
    seal: (session, maxAgeSeconds) =>
      new (sessionSeal().EncryptJWT)({ ...session })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuedAt()
        .setExpirationTime(`${maxAgeSeconds}s`)
        .encrypt(key),
    discard: () => Promise.resolve(),
  }
}

/** A session read back from storage, checked field by field. */
export function asSealed(value: unknown): Sealed | undefined {
  const { id, uid, data } = (value ?? {}) as Partial<Sealed>
  if (typeof id !== 'string' || (uid !== null && typeof uid !== 'string') || !data || typeof data !== 'object') return undefined
  return { id, uid, data }
}

/** connect-flash's `req.flash`, on this session: `flash(type, msg)` adds, `flash(type)` takes and clears, `flash()` takes all. */
function flash(this: SessionRequest, type?: string, ...message: unknown[]): unknown {
  if (!this.session) throw new Error('req.flash() requires sessions')
  const messages = (this.session.flash ??= {}) as Record<string, unknown[]>
  if (type && message.length > 0) {
    if (message.length > 1) return (messages[type] ??= []).push(format(...message))
    if (Array.isArray(message[0])) {
      for (const item of message[0]) (messages[type] ??= []).push(item)
      return messages[type].length
    }
    return (messages[type] ??= []).push(message[0])
  }
  if (type) {
    const taken = messages[type] ?? []
    delete messages[type]
    return taken
  }
  this.session.flash = {}
  return messages
}

function routeOf(req: Request): string {
  const route = req.route as { path: unknown } | undefined
  return route ? `${req.baseUrl}${String(route.path)}` : req.originalUrl.split('?', 1)[0]
}

function plainMethod(fn: () => void): PropertyDescriptor {
  return {
    enumerable: false,
    writable: true,
    configurable: true,
    value(this: unknown) {
      fn()
      return this
    },
  }
}

/** express-session's methods take an optional callback, called asynchronously. */
function callbackMethod(fn: () => void): PropertyDescriptor {
  return {
    enumerable: false,
    writable: true,
    configurable: true,
    value(this: unknown, callback?: (err?: unknown) => void) {
      fn()
      settle(callback)
      return this
    },
  }
}

function settle(callback: unknown, err?: unknown): void {
  if (typeof callback === 'function') process.nextTick(() => (callback as (err?: unknown) => void)(err))
}
