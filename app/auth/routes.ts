import { randomUUID } from 'node:crypto'
import type { Request, Response, Router } from 'express'
import type { Config } from '../config'
import { HttpError } from '../errors'
import { buildRouter, routeTable } from '../http/routes'
import type { LoginThrottle } from './login-throttle'
import type { PasswordReset } from './password-reset'
import { decoyHash, hashPassword, verifyPassword } from './passwords'
import { clearRefreshCookie, refreshCookieName, refreshCookieOf, setRefreshCookie } from './refresh-cookie'
import { requireAuth } from './require-auth'
import { refuseForeignOrigin } from './same-origin'
import { authResult, loginBody, passwordChangeBody, passwordResetBody, passwordResetConfirmBody, registerBody, sessionList } from './schema'
import { signInEnded, type Renewal, type SessionsRepository } from './sessions'
import { issueToken, type TokenVerifier } from './tokens'
import type { UsersRepository } from './users-repository'

export interface AuthRoutesDeps {
  config: Pick<Config, 'jwt' | 'signIn' | 'production' | 'corsOrigins'>
  users: UsersRepository
  sessions: SessionsRepository
  throttle: LoginThrottle
  passwordReset: PasswordReset
  verifyToken: TokenVerifier
  clock: () => Date
  /** The client's address as the platform saw it; see createApp's `clientAddressOf`. */
  clientAddressOf: (req: Request) => string | undefined
}

const setsCookie = { 'Set-Cookie': { description: `${refreshCookieName}: the refresh cookie (HttpOnly, SameSite=Strict, Path=/auth)` } }
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
    errors: [409],
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
    responses: { 200: signedIn('Renewed') },
  },
  logout: {
    method: 'post',
    path: '/logout',
    summary: 'End the sign-in of the refresh cookie and clear it',
    auth: 'optional-cookie',
    responses: { 204: { description: 'Signed out', headers: setsCookie } },
  },
  listSessions: {
    method: 'get',
    path: '/sessions',
    summary: 'List the caller’s live sign-ins',
    auth: 'token',
    responses: { 200: { description: 'Sign-ins', body: sessionList } },
  },
  revokeOtherSessions: {
    method: 'delete',
    path: '/sessions',
    summary: 'Sign out every other sign-in',
    auth: 'token',
    responses: { 204: { description: 'Revoked' } },
  },
  revokeSession: {
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
    errors: [404, 409],
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
 * rotating refresh cookie, see sessions.ts and docs/AUTH.md) and answer a short access token; the
 * rest renews, lists, revokes and ends sign-ins, and changes or resets the password (password-reset.ts).
 */
export function authRoutes(deps: AuthRoutesDeps): Router {
  const { config, users, sessions, throttle, passwordReset, verifyToken, clock, clientAddressOf } = deps
  const { production } = config

  /** Sets the new refresh cookie and sends the access token of a started or renewed sign-in. */
  function sendSignedIn(res: Response, status: number, { sid, user, refreshToken }: Renewal) {
    setRefreshCookie(res, refreshToken, { production, maxAgeSeconds: config.signIn.refreshTtlSeconds })
    res
      .status(status)
      .set('Cache-Control', 'no-store')
      .json({ ...issueToken(config.jwt, user, clock(), sid), user })
  }

  return buildRouter(
    authApi,
    {
      register: async (req, res, { body: { email, password } }) => {
        const user = { id: randomUUID(), email, passwordHash: await hashPassword(password), createdAt: clock().toISOString() }
        await users.create(user)
        sendSignedIn(res, 201, await sessions.start(user, req.get('user-agent')))
      },
      login: async (req, res, { body: { email, password } }) => {
        const address = clientAddressOf(req)
        await throttle.attempt(email, address)
        const user = await users.findByEmail(email)
        const matches = await verifyPassword(password, user?.passwordHash ?? decoyHash)
        if (!user || !matches) {
          throw new HttpError(401, 'Unauthorized', { detail: 'Email or password is incorrect', headers: { 'WWW-Authenticate': 'Bearer' } })
        }
        await throttle.succeeded(email, address)
        sendSignedIn(res, 200, await sessions.start(user, req.get('user-agent')))
      },
      refresh: async (req, res) => {
        const refreshToken = refreshCookieOf(req)
        try {
          if (refreshToken === undefined) throw signInEnded('no refresh cookie')
          sendSignedIn(res, 200, await sessions.rotate(refreshToken, req.get('user-agent')))
        } catch (err) {
          // A cookie that cannot renew never will: the browser may as well stop sending it.
          if (err instanceof HttpError && err.status === 401) clearRefreshCookie(res, { production })
          throw err
        }
      },
      logout: async (req, res) => {
        const refreshToken = refreshCookieOf(req)
        if (refreshToken !== undefined) await sessions.end(refreshToken)
        clearRefreshCookie(res, { production })
        res.status(204).end()
      },
      listSessions: async (req, res) => {
        const current = req.user!.sessionId
        const items = await sessions.list(req.user!.id)
        res.json({ items: items.map((session) => ({ ...session, current: session.id === current })) })
      },
      revokeOtherSessions: async (req, res) => {
        await sessions.revokeAllExcept(req.user!.id, req.user!.sessionId)
        res.status(204).end()
      },
      revokeSession: async (req, res) => {
        const id = req.params.id as string
        if (!(await sessions.revoke(req.user!.id, id))) throw new HttpError(404, 'Not Found', { detail: 'No live sign-in with this id' })
        if (id === req.user!.sessionId) clearRefreshCookie(res, { production })
        res.status(204).end()
      },
      changePassword: async (req, res, { body: { currentPassword, newPassword } }) => {
        const user = req.user!.email === undefined ? undefined : await users.findByEmail(req.user!.email)
        if (!user || user.id !== req.user!.id) throw new HttpError(404, 'Not Found', { detail: 'This account no longer exists' })
        // Guesses at the current password count as failed logins: a stolen access token must not become a password oracle.
        const address = clientAddressOf(req)
        await throttle.attempt(user.email, address)
        if (!(await verifyPassword(currentPassword, user.passwordHash))) {
          throw new HttpError(400, 'Bad Request', {
            detail: 'The request body is not valid',
            errors: [{ path: 'body.currentPassword', message: 'Does not match your current password' }],
          })
        }
        await throttle.succeeded(user.email, address)
        await users.changePassword(user.email, user.passwordHash, await hashPassword(newPassword))
        await sessions.revokeAllExcept(user.id, req.user!.sessionId)
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
