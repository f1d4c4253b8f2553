import type { Request, RequestHandler, Response } from 'express'
import type { Identity } from '../auth/identity'
import type { Logger } from '../logger'

/** What `req.session` answers for one verified identity: the fields the old session held, taken from the token. Plain data only (it is copied per request). */
export type SessionFromIdentity = (identity: Identity) => Record<string, unknown>

/**
 * The default: where session-based code usually kept the user. `req.session.user`, `req.session.userId`
 * and passport's `req.session.passport.user` all name the token's subject.
 */
export const defaultSession: SessionFromIdentity = (identity) => ({
  userId: identity.id,
  user: { id: identity.id, email: identity.email, scopes: identity.scopes },
  passport: { user: identity.id },
})

/**
 * `req.session` for code that still reads it, answered from the verified token: no store, no
 * cookie, nothing kept between requests. A write, `delete`, `destroy()`, `regenerate()` or
 * passport's `req.login()`/`req.logout()` changes only this request's copy (so code that reads back
 * what it wrote keeps working) and makes the request log one warning naming the route, so every
 * place that still relies on server-side state shows up in the logs. Use after requireAuth.
 * @example router.use('/legacy', requireAuth(verify), sessionFromToken(logger), legacyApp)
 */
export function sessionFromToken(logger: Logger, fromIdentity: SessionFromIdentity = defaultSession): RequestHandler {
  return function sessionFromToken(req, res, next) {
    const identity = req.user
    if (!identity) throw new Error('sessionFromToken needs requireAuth before it')
    const record = recorder(logger, req, res)
    const data = structuredClone(fromIdentity(identity)) as Record<string, unknown>
    const id = sessionId(identity)
    const session: Record<string, unknown> = Object.assign(data, { cookie: cookieOf(identity) })
    Object.defineProperties(session, {
      id: { value: id, enumerable: false, writable: true, configurable: true },
      save: callbackMethod(() => undefined),
      touch: plainMethod(() => undefined),
      resetMaxAge: plainMethod(() => undefined),
      reload: callbackMethod(() => undefined),
      regenerate: callbackMethod(() => record('regenerate')),
      destroy: callbackMethod(() => record('destroy')),
    })
    const legacy = req as SessionRequest
    legacy.session = recording(session, '', record, new WeakMap()) as SessionRequest['session']
    legacy.sessionID = id
    // passport's request methods, for code that calls them rather than reading req.user.
    legacy.isAuthenticated = () => true
    legacy.isUnauthenticated = () => false
    legacy.login = legacy.logIn = (_user, options, done) => {
      record('login')
      settle(typeof options === 'function' ? options : done)
    }
    legacy.logout = legacy.logOut = (options, done) => {
      record('logout')
      settle(typeof options === 'function' ? options : done)
    }
    next()
  }
}

/** What express-session and passport put on a request, as this layer provides it. Not declared on Express's Request: only mounted code sees it. */
export interface SessionRequest extends Request {
  session: Record<string, unknown> & {
    id: string
    save(cb?: () => void): unknown
    destroy(cb?: () => void): unknown
    regenerate(cb?: () => void): unknown
  }
  sessionID: string
  isAuthenticated(): boolean
  isUnauthenticated(): boolean
  login(user: unknown, options?: unknown, done?: unknown): void
  logIn(user: unknown, options?: unknown, done?: unknown): void
  logout(options?: unknown, done?: unknown): void
  logOut(options?: unknown, done?: unknown): void
}

/** Collects what a request tried to change and logs it once, when the response is done. */
function recorder(logger: Logger, req: Request, res: Response): (operation: string) => void {
  const operations = new Set<string>()
  let route: string | undefined
  const log = () =>
    logger.warn('session write ignored: state kept in a session does not survive this request', {
      requestId: req.id,
      method: req.method,
      route,
      path: req.originalUrl.split('?', 1)[0],
      operations: [...operations],
    })
  return function record(operation) {
    if (operations.size === 0) {
      route = req.route ? `${req.baseUrl}${String(req.route.path)}` : undefined
      if (res.writableFinished) queueMicrotask(log)
      else onceDone(res, log)
    }
    operations.add(operation)
  }
}

function onceDone(res: Response, fn: () => void): void {
  let done = false
  const once = () => {
    if (done) return
    done = true
    fn()
  }
  res.once('finish', once)
  res.once('close', once)
}

/**
 * A proxy that lets code change the request's copy of the session and records what it changed,
 * nested objects and arrays included (`req.session.cart.push(item)` is "set cart").
 */
function recording<T extends object>(target: T, path: string, record: (op: string) => void, proxies: WeakMap<object, object>): T {
  const known = proxies.get(target)
  if (known) return known as T
  const name = (key: string | symbol) => (Array.isArray(target) ? path.slice(0, -1) : `${path}${String(key)}`)
  const proxy = new Proxy(target, {
    get(t, key, receiver) {
      const value = Reflect.get(t, key, receiver)
      return typeof key === 'string' && isContainer(value) ? recording(value, `${path}${key}.`, record, proxies) : value
    },
    set(t, key, value, receiver) {
      record(`set ${name(key)}`)
      return Reflect.set(t, key, value, receiver)
    },
    defineProperty(t, key, descriptor) {
      record(`set ${name(key)}`)
      return Reflect.defineProperty(t, key, descriptor)
    },
    deleteProperty(t, key) {
      record(`delete ${name(key)}`)
      return Reflect.deleteProperty(t, key)
    },
  })
  proxies.set(target, proxy)
  return proxy
}

function isContainer(value: unknown): value is object {
  if (Array.isArray(value)) return true
  if (value === null || typeof value !== 'object') return false
  // Plain objects only (not Dates and the like), from any realm: structuredClone's come from Node's own.
  const proto = Object.getPrototypeOf(value)
  return proto === null || Object.getPrototypeOf(proto) === null
}

/** express-session's cookie, as far as code reads it: it lasts as long as the token. */
function cookieOf(identity: Identity) {
  const exp = typeof identity.claims.exp === 'number' ? identity.claims.exp * 1000 : undefined
  const iat = typeof identity.claims.iat === 'number' ? identity.claims.iat * 1000 : undefined
  return {
    path: '/',
    httpOnly: true,
    secure: true,
    expires: exp === undefined ? null : new Date(exp),
    maxAge: exp === undefined ? null : Math.max(0, exp - Date.now()),
    originalMaxAge: exp === undefined || iat === undefined ? null : exp - iat,
  }
}

/** The IdP's session id (`sid`) or the token's id (`jti`) when it has one; else subject and issue time. */
function sessionId(identity: Identity): string {
  const { sid, jti, iat } = identity.claims
  if (typeof sid === 'string') return sid
  if (typeof jti === 'string') return jti
  return `${identity.id}.${String(iat ?? '')}`
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

/** express-session's methods take an optional callback, called asynchronously and without an error. */
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

function settle(callback: unknown): void {
  if (typeof callback === 'function') process.nextTick(callback as () => void)
}
