import { randomUUID } from 'node:crypto'
import type { Request, RequestHandler, Response } from 'express'
import { identityOf, type Identity } from '../auth/identity'
import type { SignInsRepository } from '../auth/sign-ins'
import type { Logger } from '../logger'
import { cookiesOf } from './page-cookie'
import type { Sealed, SessionStore } from './session-stores'
import { whenIdentityChanges } from './sign-in'

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

/** Browsers keep cookies of up to 4096 bytes, name and attributes included. */
export const maxCookieBytes = 4000

/** What express-session and connect-flash put on a request, as this layer provides them. Only mounted code sees it. */
export interface SessionRequest extends Request {
  session: SessionData
  sessionID: string
  flash(type?: string, ...message: unknown[]): unknown
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

export interface CookieSessionDeps {
  store: SessionStore
  logger: Logger
  /** The mount's path: the cookie's, behind whatever prefix the request came in on. */
  path: string
  production: boolean
  clock: () => Date
  /** This app's sign-ins, when it runs its own: a signed-in session older than the sign-in's last save restores nothing. */
  signIns?: Pick<SignInsRepository, 'lastSessionSave' | 'recordSessionSave'>
}

/**
 * `req.session` that keeps what code writes, in an encrypted, authenticated cookie (or the table): no
 * server memory, so any copy of the function answers the next request. The cookie is set when the
 * response ends and the session changed; one over {@link maxCookieBytes} is not set, and logs an error
 * naming the route.
 *
 * A session belongs to whom it was written for, and starts clean when that changes: signed in on this
 * request or an earlier one, an anonymous session becomes a new one (a new id) that keeps only its flash
 * messages; signed out, the same; another user's session, another sign-in's, one saved before the
 * sign-in's latest save (an old copy of the cookie replayed), or a tampered one restores nothing.
 * Nothing in a session changes who is signed in: that comes from the credential alone.
 */
export function cookieSession(deps: CookieSessionDeps, options: SessionOptions = {}): RequestHandler {
  const { store, logger, production, clock, signIns } = deps
  const fromIdentity = options.fromIdentity ?? defaultSession
  const maxAge = options.maxAge ?? 86_400

  /** The session a stored one may restore for this identity: itself, its flash alone (a new one), or nothing. */
  async function restorable(opened: Sealed | undefined, identity: Identity | undefined, path: string): Promise<Sealed | undefined> {
    if (!opened) return undefined
    if (opened.uid === null) return identity ? fresh(opened) : opened
    if (!identity || opened.uid !== identity.id || opened.sid !== (identity.signInId ?? null)) return undefined
    const lastSave = identity.signInId && signIns ? await signIns.lastSessionSave(identity.id, identity.signInId, path) : undefined
    return lastSave !== undefined && opened.savedAt < lastSave ? undefined : opened
  }

  return async function cookieSession(req, res, next) {
    const path = `${req.pathPrefix ?? ''}${deps.path}`
    const name = production ? (path === '/' ? '__Host-session' : '__Secure-session') : 'session'
    const attributes = { httpOnly: true, sameSite: 'lax' as const, secure: production, path }
    const legacy = req as SessionRequest
    const presented = cookiesOf(req)[name]
    const opened = presented ? await store.open(presented) : undefined
    const loaded = await restorable(opened, identityOf(req), path)
    let reserved: string[] = []
    let touched = false

    const create = (sealed: Sealed): SessionData => {
      const identity = identityOf(req)
      const identityFields = identity ? structuredClone(fromIdentity(identity)) : {}
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
    const start = loaded ?? fresh()
    legacy.session = create(start)
    const before = JSON.stringify({ id: start.id, data: loaded ? start.data : {} })
    // signIn and signOut on this request: who the session is for changes, so it starts again, keeping its flash.
    whenIdentityChanges(req, () => {
      const current = (legacy as Partial<SessionRequest>).session
      legacy.session = create(fresh(current && { data: JSON.parse(JSON.stringify(current)) as Record<string, unknown> }))
    })

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
      const identity = identityOf(req)
      const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>
      const identityFields = identity ? fromIdentity(identity) : {}
      const ignored = reserved.filter((field) => JSON.stringify(data[field]) !== JSON.stringify(identityFields[field]))
      if (ignored.length > 0) {
        logger.warn('session write ignored: these fields are answered from the sign-in; call signIn() to change who is signed in', {
          requestId: req.id,
          route: routeOf(req),
          fields: ignored,
        })
      }
      for (const field of reserved) delete data[field]
      const owner = { uid: identity?.id ?? null, sid: identity?.signInId ?? null }
      const changed = JSON.stringify({ id: session.id, data }) !== before
      const rebound = opened !== undefined && (opened.uid !== owner.uid || opened.sid !== owner.sid || session.id !== opened.id)
      if (!changed && !touched && !rebound) return undefined
      if (Object.keys(data).length === 0 && !presented) return undefined
      // A new id (regenerate(), a sign-in, a sign-out): the old session goes, as express-session destroys it in its store.
      if (presented && opened && session.id !== opened.id) await store.discard(presented)
      const savedAt = clock().getTime()
      const sealed = await store.seal({ id: session.id, ...owner, savedAt, data }, maxAge)
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
      if (owner.uid !== null && owner.sid !== null) await signIns?.recordSessionSave(owner.uid, owner.sid, path, savedAt)
      return cookie
    }

    next()
  }
}

/** A new session: a new id, and of what `from` held, only its flash messages (connect-flash's `session.flash`). */
function fresh(from?: Pick<Sealed, 'data'>): Sealed {
  const flash = from?.data.flash
  return { id: randomUUID(), uid: null, sid: null, savedAt: 0, data: flash && typeof flash === 'object' ? { flash } : {} }
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

/** Calls a Node-style callback on the next tick, as the callbacks of express-session and passport come. */
export function settle(callback: unknown, err?: unknown): void {
  if (typeof callback === 'function') process.nextTick(() => (callback as (err?: unknown) => void)(err))
}
