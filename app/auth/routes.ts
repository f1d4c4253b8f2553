import { randomUUID } from 'node:crypto'
import express, { type Router } from 'express'
import type { JwtConfig } from '../config'
import { HttpError } from '../errors'
import { resource } from '../http/routes'
import { parse } from '../http/validate'
import { decoyHash, hashPassword, verifyPassword } from './passwords'
import { registerBody, loginBody } from './schema'
import { issueToken } from './tokens'
import type { UsersRepository } from './users-repository'

/** `/auth/register` and `/auth/login`: this app as its own identity provider. */
export function authRoutes(deps: { users: UsersRepository; jwt: JwtConfig; clock: () => Date }): Router {
  const { users, jwt, clock } = deps
  const router = express.Router()

  const signedIn = (user: { id: string; email: string }) => ({
    ...issueToken(jwt, user, clock()),
    user: { id: user.id, email: user.email },
  })

  resource(router, '/register', {
    post: async (req, res) => {
      const { email, password } = parse(registerBody, req.body, 'body')
      const user = { id: randomUUID(), email, passwordHash: await hashPassword(password), createdAt: clock().toISOString() }
      await users.create(user)
      res.status(201).set('Cache-Control', 'no-store').json(signedIn(user))
    },
  })

  resource(router, '/login', {
    post: async (req, res) => {
      const { email, password } = parse(loginBody, req.body, 'body')
      const user = await users.findByEmail(email)
      const matches = await verifyPassword(password, user?.passwordHash ?? decoyHash)
      if (!user || !matches) {
        throw new HttpError(401, 'Unauthorized', { detail: 'Email or password is incorrect', headers: { 'WWW-Authenticate': 'Bearer' } })
      }
      res.set('Cache-Control', 'no-store').json(signedIn(user))
    },
  })

  return router
}
