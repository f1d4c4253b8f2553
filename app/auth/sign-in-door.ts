import { randomBytes } from 'node:crypto'
import type { Request, Response } from 'express'
import type { Config } from '../config'
import { HttpError } from '../errors'
import { normaliseLogin, type Account, type AccountsRepository } from './accounts'
import type { Identity } from './identity'
import { decoyLike, hashKind, verifyAnyPassword } from './imported-hashes'
import { decoyHash, hashPassword, needsRehash } from './passwords'
import type { RefreshCookie } from './refresh-cookie'
import { RenewalRaced, signInEnded, type Renewal, type SignInsRepository, type SignInUser } from './sign-ins'
import { issueToken, type IssuedToken } from './tokens'
import type { Throttle } from './throttle'

/** A sign-in started or renewed: its access token, who it names, and which sign-in (`sid`) it is. */
export interface SignedIn {
  issued: IssuedToken
  user: { id: string; email: string | null }
  sid: string
}

/**
 * The one way into this app with a password, whichever form the person used: `POST /auth/login`, a
 * mounted app's own login form (verifyLogin and signIn in app/existing), passport's `req.login`. Each
 * goes through the same throttle, the same accounts (own and imported alike), the same pace, the same
 * sign-ins and cookies, and the same sign-out, so no door is weaker than another.
 */
export interface SignInDoor {
  /**
   * The account whose login and password these are, or undefined (a wrong password and an unknown
   * login alike). Counted against the login and the client address first: 429 with Retry-After past
   * either limit, the right password included. Takes the same time whatever the answer and whatever
   * kind of account (see {@link PasswordPace}). An imported hash is replaced by this app's on success.
   */
  checkPassword(req: Request, login: string, password: string): Promise<Account | undefined>
  /** Starts a sign-in for an account just proven: the sign-in item, the refresh cookie, an access token. */
  start(req: Request, res: Response, account: Pick<Account, 'id' | 'login' | 'email'>): Promise<SignedIn>
  /** Renews from the request's refresh cookie (which is spent and replaced); throws the 401 of signInEnded or RenewalRaced. */
  renew(req: Request, res: Response): Promise<SignedIn>
  /**
   * Ends the sign-in the request names, on the server: the refresh cookie's, or else the one the verified
   * identity's token was issued to (a mounted page, which the refresh cookie never reaches); clears the cookies.
   */
  end(req: Request, res: Response, identity?: Identity): Promise<void>
  /** Sets or clears cookies as a failure of `renew` calls for; the cookie of a lost race stays, as the winner's replaces it. */
  clearAfter(req: Request, res: Response, error: unknown): void
  cookie: RefreshCookie
}

export interface SignInDoorDeps {
  accounts: AccountsRepository
  signIns: SignInsRepository
  throttle: Throttle
  cookie: RefreshCookie
  config: Pick<Config, 'jwt'>
  clock: () => Date
  /** The client's address as the platform saw it; see createApp's `clientAddressOf`. */
  clientAddressOf: (req: Request) => string | undefined
  pace?: PasswordPace
}

export function createSignInDoor(deps: SignInDoorDeps): SignInDoor {
  const { accounts, signIns, throttle, cookie, config, clock, clientAddressOf } = deps
  const pace = deps.pace ?? passwordPace(accounts)

  function signedIn(req: Request, res: Response, { sid, user, refreshToken, maxAgeSeconds }: Renewal): SignedIn {
    cookie.set(req, res, refreshToken, maxAgeSeconds)
    return {
      issued: issueToken(config.jwt, { id: user.id, email: user.email ?? undefined }, clock(), sid),
      user: { id: user.id, email: user.email },
      sid,
    }
  }

  const clearAfter: SignInDoor['clearAfter'] = (req, res, error) => {
    // A cookie that cannot renew never will: the browser may as well stop sending it.
    if (error instanceof HttpError && error.status === 401 && !(error instanceof RenewalRaced)) cookie.clear(req, res)
  }

  return {
    cookie,

    async checkPassword(req, login, password) {
      const normal = normaliseLogin(login)
      const address = clientAddressOf(req)
      await throttle.signInAttempt(normal, address)
      const account = await pace.keep(async () => {
        const found = normal === '' ? undefined : await accounts.find(normal)
        return (await verifyAnyPassword(password, found?.passwordHash ?? decoyHash)) ? found : undefined
      })
      if (!account) return undefined
      await throttle.signInSucceeded(normal, address)
      if (hashKind(account.passwordHash) !== 'own' || needsRehash(account.passwordHash)) {
        const rehashed = await hashPassword(password)
        // Another sign-in rehashed it first: its hash is as good as this one.
        if (await accounts.replaceHash(normal, account.passwordHash, rehashed)) account.passwordHash = rehashed
      }
      return account
    },

    async start(req, res, account) {
      const user: SignInUser = { id: account.id, login: normaliseLogin(account.login), email: account.email }
      return signedIn(req, res, await signIns.start(user, req.get('user-agent')))
    },

    async renew(req, res) {
      const presented = cookie.read(req)
      if (presented === 'many') {
        // A sibling subdomain may have planted one, to sign this browser in to an account of its own.
        cookie.clearEveryCopy(req, res)
        throw signInEnded('more than one refresh cookie')
      }
      if (presented === 'none') {
        // Nothing to renew. Unless the browser left the cookie out (a navigation from another site), the hint is stale.
        if (req.get('sec-fetch-site') !== 'cross-site') cookie.clear(req, res)
        throw signInEnded('no refresh cookie')
      }
      try {
        return signedIn(req, res, await signIns.rotate(presented.value, req.get('user-agent')))
      } catch (err) {
        clearAfter(req, res, err)
        throw err
      }
    },

    async end(req, res, identity) {
      const presented = cookie.read(req)
      if (typeof presented === 'object') await signIns.end(presented.value)
      else if (identity?.signInId) await signIns.revoke(identity.id, identity.signInId)
      if (presented === 'many') cookie.clearEveryCopy(req, res)
      else cookie.clear(req, res)
    },

    clearAfter,
  }
}

/**
 * Makes every password check take as long as the slowest one could: an unknown login (checked against
 * a decoy), an account of this app (scrypt) and an imported account still on its old hash (bcrypt,
 * PBKDF2, scrypt of its own cost) must not be told apart by the time the answer takes. The pace is
 * the time of one check against a decoy of this app's scrypt and one against the costliest imported
 * hash (accounts.paceSetter, written by the import), measured here once and again every few minutes;
 * a check that ends sooner waits out the difference.
 */
export interface PasswordPace {
  keep<T>(check: () => Promise<T>): Promise<T>
}

const paceMeasuredFor = 10 * 60_000

export function passwordPace(accounts: Pick<AccountsRepository, 'paceSetter'>): PasswordPace {
  let measured: Promise<number> | undefined
  let measuredAt = -Infinity

  async function measure(): Promise<number> {
    const decoys = [decoyHash, await accounts.paceSetter()].filter((hash): hash is string => hash !== undefined)
    let slowest = 0
    for (const hash of decoys) {
      const started = performance.now()
      await verifyAnyPassword(randomBytes(12).toString('base64url'), hash)
      slowest = Math.max(slowest, performance.now() - started)
    }
    return slowest
  }

  function paceMs(): Promise<number> {
    if (!measured || performance.now() - measuredAt > paceMeasuredFor) {
      measuredAt = performance.now()
      measured = measure().catch((err: unknown) => {
        measured = undefined // measured again by the next check
        throw err
      })
    }
    return measured
  }

  return {
    async keep(check) {
      const pace = await paceMs()
      const started = performance.now()
      const result = await check()
      const left = pace - (performance.now() - started)
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left))
      return result
    },
  }
}

/**
 * The hash that sets the pace after an import: a decoy like the costliest of `hashes` (each kind and
 * cost timed once) or like `current`, the pace setter already recorded, whichever is slower to check.
 */
export async function paceSetterFor(hashes: readonly string[], current: string | undefined): Promise<string | undefined> {
  const byCost = new Map<string, string>()
  for (const hash of hashes) if (hashKind(hash) !== undefined && hashKind(hash) !== 'own') byCost.set(costOf(hash), hash)
  let slowest: { hash: string; ms: number } | undefined
  for (const hash of [...byCost.values(), ...(current ? [current] : [])]) {
    const started = performance.now()
    await verifyAnyPassword(randomBytes(12).toString('base64url'), hash)
    const ms = performance.now() - started
    if (!slowest || ms > slowest.ms) slowest = { hash, ms }
  }
  if (!slowest) return undefined
  return slowest.hash === current ? current : decoyLike(slowest.hash)
}

/** What sets a hash's cost: its kind and parameters, without the salt and the key. */
function costOf(hash: string): string {
  return hash
    .split('$')
    .slice(0, hash.startsWith('$2') ? 3 : hash.startsWith('pbkdf2_') ? 2 : 1)
    .join('$')
}
