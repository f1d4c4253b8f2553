import { randomUUID } from 'node:crypto'
import type { Router } from 'express'
import type { JwtConfig } from '../config'
import { HttpError } from '../errors'
import { buildRouter, routeTable } from '../http/routes'
import { decoyHash, hashPassword, verifyPassword } from './passwords'
import { authResult, loginBody, registerBody } from './schema'
import { issueToken } from './tokens'
import type { UsersRepository } from './users-repository'

/** `/auth`: this app as its own identity provider (not mounted when tokens come from an external one). */
export const authApi = routeTable('/auth', {
  register: {
    method: 'post',
    path: '/register',
    summary: 'Register',
    auth: 'none',
    body: registerBody,
    responses: { 201: { description: 'Registered and signed in', body: authResult } },
    errors: [409],
  },
  login: {
    method: 'post',
    path: '/login',
    summary: 'Sign in',
    auth: 'none',
    body: loginBody,
    responses: { 200: { description: 'Signed in', body: authResult } },
    errors: [401],
  },
})

export function authRoutes(deps: { users: UsersRepository; jwt: JwtConfig; clock: () => Date }): Router {
  const { users, jwt, clock } = deps
  const signedIn = (user: { id: string; email: string }) => ({
    ...issueToken(jwt, user, clock()),
    user: { id: user.id, email: user.email },
  })

  return buildRouter(authApi, {
    register: async (_req, res, { body: { email, password } }) => {
      const user = { id: randomUUID(), email, passwordHash: await hashPassword(password), createdAt: clock().toISOString() }
      await users.create(user)
      res.status(201).set('Cache-Control', 'no-store').json(signedIn(user))
    },
    login: async (_req, res, { body: { email, password } }) => {
      const user = await users.findByEmail(email)
      const matches = await verifyPassword(password, user?.passwordHash ?? decoyHash)
      if (!user || !matches) {
        throw new HttpError(401, 'Unauthorized', { detail: 'Email or password is incorrect', headers: { 'WWW-Authenticate': 'Bearer' } })
      }
      res.set('Cache-Control', 'no-store').json(signedIn(user))
    },
  })
}
