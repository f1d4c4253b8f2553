import { randomUUID } from 'node:crypto'
import express, { type Request, type Response, type Router } from 'express'
import type { Config } from '../config'
import { HttpError } from '../errors'
import { resource } from '../http/routes'
import { parse } from '../http/validate'
import type { LoginThrottle } from './login-throttle'
import { decoyHash, hashPassword, verifyPassword } from './passwords'
import { clearRefreshCookie, refreshCookieOf, setRefreshCookie } from './refresh-cookie'
import { requireAuth } from './require-auth'
import { refuseForeignOrigin } from './same-origin'
import { loginBody, passwordChangeBody, registerBody } from './schema'
import { signInEnded, type Renewal, type SessionsRepository } from './sessions'
import { issueToken, type TokenVerifier } from './tokens'
import type { UsersRepository } from './users-repository'

export interface AuthRoutesDeps {
  config: Pick<Config, 'jwt' | 'signIn' | 'production' | 'corsOrigins'>
  users: UsersRepository
  sessions: SessionsRepository
  throttle: LoginThrottle
  verifyToken: TokenVerifier
  clock: () => Date
  /** The client's address as the platform saw it; see createApp's `clientAddressOf`. */
  clientAddressOf: (req: Request) => string | undefined
}

/**
 * `/auth/*`: this app as its own identity provider. Register and login start a browser sign-in (a
 * rotating refresh cookie, see sessions.ts and docs/AUTH.md) and answer a short access token; the
 * rest renews, lists, revokes and ends sign-ins, and changes the password.
 */
export function authRoutes(deps: AuthRoutesDeps): Router {
  const { config, users, sessions, throttle, verifyToken, clock, clientAddressOf } = deps
  const { production } = config
  const router = express.Router()
  const signedInOnly = requireAuth(verifyToken)
  const cookieRoute = refuseForeignOrigin(config.corsOrigins)

  /** Sets the new refresh cookie and sends the access token of a started or renewed sign-in. */
  function sendSignedIn(res: Response, status: number, { sid, user, refreshToken }: Renewal) {
    setRefreshCookie(res, refreshToken, { production, maxAgeSeconds: config.signIn.refreshTtlSeconds })
    res
      .status(status)
      .set('Cache-Control', 'no-store')
      .json({ ...issueToken(config.jwt, user, clock(), sid), user })
  }

  resource(router, '/register', {
    post: async (req, res) => {
      const { email, password } = parse(registerBody, req.body, 'body')
      const user = { id: randomUUID(), email, passwordHash: await hashPassword(password), createdAt: clock().toISOString() }
      await users.create(user)
      sendSignedIn(res, 201, await sessions.start(user, req.get('user-agent')))
    },
  })

  resource(router, '/login', {
    post: async (req, res) => {
      const { email, password } = parse(loginBody, req.body, 'body')
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
  })

  resource(router, '/refresh', {
    post: [
      cookieRoute,
      async (req, res) => {
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
    ],
  })

  resource(router, '/logout', {
    post: [
      cookieRoute,
      async (req, res) => {
        const refreshToken = refreshCookieOf(req)
        if (refreshToken !== undefined) await sessions.end(refreshToken)
        clearRefreshCookie(res, { production })
        res.status(204).end()
      },
    ],
  })

  resource(router, '/sessions', {
    get: [
      signedInOnly,
      async (req, res) => {
        const current = req.user!.sessionId
        const items = await sessions.list(req.user!.id)
        res.json({ items: items.map((session) => ({ ...session, current: session.id === current })) })
      },
    ],
    delete: [
      signedInOnly,
      async (req, res) => {
        await sessions.revokeAllExcept(req.user!.id, req.user!.sessionId)
        res.status(204).end()
      },
    ],
  })

  resource(router, '/sessions/:id', {
    delete: [
      signedInOnly,
      async (req, res) => {
        const id = req.params.id as string
        if (!(await sessions.revoke(req.user!.id, id))) throw new HttpError(404, 'Not Found', { detail: 'No live sign-in with this id' })
        if (id === req.user!.sessionId) clearRefreshCookie(res, { production })
        res.status(204).end()
      },
    ],
  })

  resource(router, '/password', {
    post: [
      signedInOnly,
      async (req, res) => {
        const { currentPassword, newPassword } = parse(passwordChangeBody, req.body, 'body')
        const user = req.user!.email === undefined ? undefined : await users.findByEmail(req.user!.email)
        if (!user || user.id !== req.user!.id) throw new HttpError(404, 'Not Found', { detail: 'This account no longer exists' })
        if (!(await verifyPassword(currentPassword, user.passwordHash))) {
          throw new HttpError(400, 'Bad Request', {
            detail: 'The request body is not valid',
            errors: [{ path: 'body.currentPassword', message: 'Does not match your current password' }],
          })
        }
        await users.changePassword(user.email, user.passwordHash, await hashPassword(newPassword))
        await sessions.revokeAllExcept(user.id, req.user!.sessionId)
        res.status(204).end()
      },
    ],
  })

  return router
}
