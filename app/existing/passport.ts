import type { Request, Response } from 'express'
import { identityOf } from '../auth/identity'
import { settle } from './session'
import { signIn, signOut, type SignInUser } from './sign-in'

/** What passport puts on a request, as this layer provides it. Only mounted code sees it. */
export interface PassportRequest extends Request {
  isAuthenticated(): boolean
  isUnauthenticated(): boolean
  login(user: SignInUser, options?: unknown, done?: unknown): void
  logIn(user: SignInUser, options?: unknown, done?: unknown): void
  logout(options?: unknown, done?: unknown): void
  logOut(options?: unknown, done?: unknown): void
}

/**
 * Passport's request methods, on this app's sign-in: `req.login(user, cb)` is signIn, `req.logout(cb)` is
 * signOut, and `req.isAuthenticated()` asks whether a credential was verified (whatever `req.user` holds).
 * A passport strategy's verify callback checks the password with verifyLogin (docs/MIGRATING.md).
 */
export function passportMethods(req: Request, res: Response): void {
  const passport = req as PassportRequest
  passport.isAuthenticated = () => identityOf(req) !== undefined
  passport.isUnauthenticated = () => identityOf(req) === undefined
  passport.login = passport.logIn = (user, options, done) => {
    const callback = typeof options === 'function' ? options : done
    signIn(req, res, user).then(
      () => settle(callback),
      (err: unknown) => settle(callback, err),
    )
  }
  passport.logout = passport.logOut = (options, done) => {
    const callback = typeof options === 'function' ? options : done
    signOut(req, res).then(
      () => settle(callback),
      (err: unknown) => settle(callback, err),
    )
  }
}
