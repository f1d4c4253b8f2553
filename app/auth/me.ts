import type { Router } from 'express'
import { buildRouter, routeTable } from '../http/routes'
import { verifiedIdentity } from './identity'
import { user } from './schema'

/** `/api/me`: who the token names, with a token from this app or from the identity provider. */
export const meApi = routeTable('/api/me', {
  getMe: {
    method: 'get',
    path: '/',
    summary: 'Who the token names',
    auth: 'token',
    responses: { 200: { description: 'The caller', body: user } },
  },
})

export function meRoutes(): Router {
  return buildRouter(meApi, {
    getMe: (req, res) => {
      const { id, email } = verifiedIdentity(req)
      res.json({ id, email: email ?? null })
    },
  })
}
