import { randomUUID } from 'node:crypto'
import type { Request, Response, Router } from 'express'
import type { Config } from '../config'
import { HttpError } from '../errors'
import { buildRouter, routeTable } from '../http/routes'
import type { AccountsRepository } from './accounts'
import { verifiedIdentity } from './identity'
import { hashPassword } from './passwords'
import { refreshCookieName } from './refresh-cookie'
import { requireAuth } from './require-auth'
import { refuseForeignOrigin } from './same-origin'
import type { PasswordReset } from './password-reset'
import { authResult, loginBody, passwordChangeBody, passwordResetBody, passwordResetConfirmBody, registerBody, signInList } from './schema'
import type { SignedIn, SignInDoor } from './sign-in-door'
import { signInEnded, type SignInsRepository } from './sign-ins'
import type { Throttle } from './throttle'
import type { TokenVerifier } from './tokens'

export interface AuthRoutesDeps {
  config: Pick<Config, 'corsOrigins'>
  accounts: AccountsRepository
  signIns: SignInsRepository
  door: SignInDoor
  throttle: Throttle
  passwordReset: PasswordReset
  verifyToken: TokenVerifier
  clock: () => Date
  /** The client's address as the platform saw it; see createApp's `clientAddressOf`. */
  clientAddressOf: (req: Request) => string | undefined
}

const setsCookie = {
  'Set-Cookie': {
    description: `${refreshCookieName} (\`__Secure-${refreshCookieName}\` in production): the refresh cookie (HttpOnly, SameSite=Strict, Path=/auth)`,
  },
}
const signedIn = (description: string) => ({ description, body: authResult, headers: setsCookie })

/** `/auth`: this app as its own identity provider (not mounted when tokens come from an external one). */
export const authApi = routeTable('/auth', {
  register: {
    method: 'post',
    path: '/register',
    summary: 'Register; starts a sign-in',
    auth: 'none',
    body: registerBody,
    responses: { 201: signedIn('Registered and signed in') },
    errors: [409, 429],
  },
  login: {
    method: 'post',
    path: '/login',
    summary: 'Sign in',
    auth: 'none',
    body: loginBody,
    responses: { 200: signedIn('Signed in') },
    errors: [401, 429],
  },
  refresh: {
    method: 'post',
    path: '/refresh',
    summary: 'Renew the access token with the refresh cookie (which is spent and replaced)',
    auth: 'cookie',
    errors: [401],
    responses: { 200: signedIn('Renewed') },
  },
  logout: {
    method: 'post',
    path: '/logout',
    summary: 'End the sign-in of the refresh cookie and clear it',
    auth: 'optional-cookie',
    responses: { 204: { description: 'Signed out', headers: setsCookie } },
  },
  listSignIns: {
    method: 'get',
    path: '/sessions',
    summary: 'List the caller’s live sign-ins',
    auth: 'token',
    responses: { 200: { description: 'Sign-ins', body: signInList } },
  },
  revokeOtherSignIns: {
    method: 'delete',
    path: '/sessions',
    summary: 'Sign out every other sign-in',
    auth: 'token',
    responses: { 204: { description: 'Revoked' } },
  },
  revokeSignIn: {
    method: 'delete',
    path: '/sessions/:id',
    summary: 'Sign out one sign-in',
    auth: 'token',
    params: { id: 'The sign-in’s id, from the list' },
    responses: { 204: { description: 'Revoked' } },
  },
  changePassword: {
    method: 'post',
    path: '/password',
    summary: 'Change the password; signs out every other sign-in',
    auth: 'token',
    body: passwordChangeBody,
    responses: { 204: { description: 'Changed' } },
    errors: [404, 409, 429],
  },
  requestPasswordReset: {
    method: 'post',
    path: '/password-reset',
    summary: 'Email a link to set a new password, if an account has this email',
    auth: 'none',
    body: passwordResetBody,
    responses: { 202: { description: 'The same answer, in the same time, whether or not an account has this email' } },
    errors: [429],
  },
  confirmPasswordReset: {
    method: 'post',
    path: '/password-reset/confirm',
    summary: 'Set a new password with the emailed link’s token; signs out every sign-in of the account',
    auth: 'none',
    body: passwordResetConfirmBody,
    responses: { 204: { description: 'Set; every sign-in of the account has ended, and its failed logins are forgotten' } },
  },
})

/**
 * `/auth/*`: this app as its own identity provider. Register and login start a browser sign-in (a
 * rotating refresh cookie, see sign-ins.ts and docs/AUTH.md) through the sign-in door, which every
 * other way of signing in shares, and answer a short access token; the rest renews, lists, revokes
 * and ends sign-ins, and changes or resets the password (password-reset.ts).
 */
export function authRoutes(deps: AuthRoutesDeps): Router {
  const { config, accounts, signIns, door, throttle, passwordReset, verifyToken, clock, clientAddressOf } = deps

  /** Sends the access token of a started or renewed sign-in (the door has set its cookie). */
  function sendSignedIn(res: Response, status: number, { issued, user }: SignedIn) {
    res
      .status(status)
      .set('Cache-Control', 'no-store')
      .json({ ...issued, user })
  }

  return buildRouter(
    authApi,
    {
      register: async (req, res, { body: { email, password } }) => {
        await throttle.registration(clientAddressOf(req))
        const account = {
          id: randomUUID(),
          login: email,
          email,
          passwordHash: await hashPassword(password),
          createdAt: clock().toISOString(),
        }
        await accounts.create(account)
        sendSignedIn(res, 201, await door.start(req, res, account))
      },
      login: async (req, res, { body: { email, password } }) => {
        const account = await door.checkPassword(req, email, password)
        if (!account) {
          throw new HttpError(401, 'Unauthorized', { detail: 'Email or password is incorrect', headers: { 'WWW-Authenticate': 'Bearer' } })
        }
        sendSignedIn(res, 200, await door.start(req, res, account))
      },
      refresh: async (req, res) => sendSignedIn(res, 200, await door.renew(req, res)),
      logout: async (req, res) => {
        await door.end(req, res)
        res.status(204).end()
      },
      listSignIns: async (req, res) => {
        const { id, signInId } = verifiedIdentity(req)
        const items = await signIns.list(id)
        res.json({ items: items.map((signIn) => ({ ...signIn, current: signIn.id === signInId })) })
      },
      revokeOtherSignIns: async (req, res) => {
        const { id, signInId } = verifiedIdentity(req)
        await signIns.revokeAllExcept(id, signInId)
        res.status(204).end()
      },
      revokeSignIn: async (req, res) => {
        const { id, signInId } = verifiedIdentity(req)
        const sid = req.params.id as string
        if (!(await signIns.revoke(id, sid))) throw new HttpError(404, 'Not Found', { detail: 'No live sign-in with this id' })
        if (sid === signInId) door.cookie.clear(req, res)
        res.status(204).end()
      },
      changePassword: async (req, res, { body: { currentPassword, newPassword } }) => {
        const { id, signInId } = verifiedIdentity(req)
        const signIn = signInId === undefined ? undefined : await signIns.get(id, signInId)
        if (!signIn) throw signInEnded('the access token’s sign-in has ended')
        const account = await accounts.find(signIn.login)
        if (!account || account.id !== id) throw new HttpError(404, 'Not Found', { detail: 'This account no longer exists' })
        // Guesses at the current password go through the door: a stolen access token must not become a password oracle.
        const proven = await door.checkPassword(req, account.login, currentPassword)
        if (!proven) {
          throw new HttpError(400, 'Bad Request', {
            detail: 'The request body is not valid',
            errors: [{ path: 'body.currentPassword', message: 'Does not match your current password' }],
          })
        }
        if (!(await accounts.replaceHash(proven.login, proven.passwordHash, await hashPassword(newPassword)))) {
          throw new HttpError(409, 'Conflict', { detail: 'The password was changed meanwhile; try again' })
        }
        await signIns.revokeAllExcept(id, signInId)
        res.status(204).end()
      },
      requestPasswordReset: async (req, res, { body: { email } }) => {
        await passwordReset.request(email, clientAddressOf(req), req.id)
        res.status(202).end()
      },
      confirmPasswordReset: async (_req, res, { body: { token, newPassword } }) => {
        await passwordReset.confirm(token, newPassword)
        res.status(204).end()
      },
    },
    { authenticate: requireAuth(verifyToken), cookieGuard: refuseForeignOrigin(config.corsOrigins) },
  )
}
