import type { Request, Response } from 'express'
import type { Account } from '../auth/accounts'
import { identityOf, setIdentity, type Identity } from '../auth/identity'
import { fromTrustedOrigin } from '../auth/same-origin'
import type { SignInDoor } from '../auth/sign-in-door'
import type { TokenVerifier } from '../auth/tokens'
import { HttpError } from '../errors'
import type { PageCookie } from './page-cookie'

/** Who signs in: the user id (the token's `sub`) and, when the account has them, its login and email. */
export interface SignInUser {
  id: string | number
  email?: string | null
  /** The email or username the person signs in with; by default `username`, else the email, else the id. */
  login?: string
  username?: string
}

/** An account whose password verifyLogin accepted: its id, login, email and display name. */
export type SignedInAccount = Pick<Account, 'id' | 'login' | 'email' | 'name'>

/** What a mount gives each request for signIn, signOut and verifyLogin: this app's sign-in door and the page cookie. */
export interface SignInContext {
  /** Undefined when tokens come from an identity provider (JWT_JWKS_URI): nobody signs in here then. */
  door?: SignInDoor
  verify: TokenVerifier
  pageCookie: PageCookie
  trustedOrigins: ReadonlySet<string>
}

interface RequestSignIn extends SignInContext {
  identityChanged: (() => void)[]
}

/** Keyed by the request, so it lives and dies with it (see auth/identity.ts). */
const contexts = new WeakMap<Request, RequestSignIn>()

export function provideSignIn(req: Request, context: SignInContext): void {
  contexts.set(req, { ...context, identityChanged: [] })
}

/** Runs `listener` when signIn or signOut changes who is signed in on this request (the session layer starts afresh). */
export function whenIdentityChanges(req: Request, listener: () => void): void {
  contexts.get(req)?.identityChanged.push(listener)
}

function contextOf(req: Request, helper: string): RequestSignIn {
  const context = contexts.get(req)
  if (!context) throw new Error(`${helper}(req, …) works in code mounted with mount() (app/existing/mounts.ts), on a request of it`)
  return context
}

function doorOf(context: RequestSignIn, helper: string): SignInDoor {
  if (!context.door)
    throw new Error(`${helper}(req, …) needs this app's own sign-in; with JWT_JWKS_URI the identity provider signs people in`)
  return context.door
}

/**
 * The password check of a mounted app's own login form: the account when `password` is the password of
 * the account with this login (an email, or an imported username), else undefined. It is the same check
 * as `POST /auth/login`'s (app/auth/sign-in-door.ts): counted against the login and the client address,
 * and past the limit it throws a 429 HttpError (with `Retry-After` set on the response), which the form
 * may catch to show its own message (`err.status === 429`). The first success replaces an imported hash
 * with this app's scrypt. Then call signIn(req, res, account).
 * @example const account = await verifyLogin(req, req.body.username, req.body.password)
 */
export async function verifyLogin(req: Request, login: unknown, password: unknown): Promise<SignedInAccount | undefined> {
  const door = doorOf(contextOf(req, 'verifyLogin'), 'verifyLogin')
  if (typeof login !== 'string' || typeof password !== 'string' || !login.trim() || !password) return undefined
  try {
    const account = await door.checkPassword(req, login, password)
    return account && { id: account.id, login: account.login, email: account.email, ...(account.name ? { name: account.name } : {}) }
  } catch (err) {
    if (err instanceof HttpError && err.status === 429) req.res?.set(err.headers)
    throw err
  }
}

/**
 * Signs a person in after the mounted app's own password check (verifyLogin): starts this app's browser
 * sign-in (the sign-in, its refresh cookie and the page cookie), and makes them the request's verified
 * identity. Pages of every mount then see the person; the SPA does too. `req.session` starts afresh
 * (keeping its flash messages), so nothing written before the sign-in carries into it.
 * @example
 * app.post('/login', async (req, res) => {
 *   const account = await verifyLogin(req, req.body.username, req.body.password)
 *   if (!account) return res.redirect('/login')
 *   await signIn(req, res, account)
 *   res.redirect('/account')
 * })
 */
export async function signIn(req: Request, res: Response, user: SignInUser): Promise<Identity> {
  const context = contextOf(req, 'signIn')
  const door = doorOf(context, 'signIn')
  // A login form posted from another site would sign this browser in to someone else's account.
  if (!fromTrustedOrigin(req, context.trustedOrigins))
    throw new HttpError(403, 'Forbidden', { detail: 'Sign in from this site’s own page' })
  const id = String(user.id)
  const email = user.email ?? null
  const { issued } = await door.start(req, res, { id, login: user.login ?? user.username ?? email ?? id, email })
  context.pageCookie.set(req, res, issued)
  const identity = await context.verify(issued.token)
  setIdentity(req, identity)
  for (const listener of context.identityChanged) listener()
  return identity
}

/**
 * Signs the person out: ends their sign-in on the server (the one their page cookie or bearer token was
 * issued to), clears its cookies, and the request has no identity any more. Other devices stay signed in.
 */
export async function signOut(req: Request, res: Response): Promise<void> {
  const context = contextOf(req, 'signOut')
  await context.door?.end(req, res, identityOf(req))
  context.pageCookie.clear(req, res)
  setIdentity(req, undefined)
  for (const listener of context.identityChanged) listener()
}
