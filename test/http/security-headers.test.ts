import express from 'express'
import helmet, { type HelmetOptions } from 'helmet'
import request from 'supertest'
import { securityHeaders } from '../../app/http/security-headers'
import { createTestApp } from '../helpers/app'

/** The headers a response carries, without those every Express response has whatever the middleware. */
async function headersOf(middleware: express.RequestHandler): Promise<Record<string, string>> {
  const app = express()
  app.use(middleware)
  app.get('/', (_req, res) => void res.json({ ok: true }))
  const { headers } = await request(app).get('/').set('Origin', 'https://elsewhere.example')
  const { date, etag, connection, 'keep-alive': keepAlive, 'content-length': length, 'content-type': type, ...rest } = headers
  void [date, etag, connection, keepAlive, length, type]
  return rest
}

describe('securityHeaders', () => {
  it.each<[string, HelmetOptions]>([
    ['production (upgrade-insecure-requests)', { contentSecurityPolicy: { directives: { upgradeInsecureRequests: [] } } }],
    ['the dev server (no upgrade-insecure-requests)', { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }],
  ])('sets exactly the headers helmet sets on a live request, in %s', async (_case, options) => {
    const ours = await headersOf(securityHeaders(options))
    const helmets = await headersOf(helmet(options))
    delete helmets['x-powered-by'] // helmet removes it; expressApp() never sets it

    expect(ours).toEqual({ ...helmets, 'x-powered-by': 'Express' }) // a bare Express app still sets it
    expect(Object.keys(helmets)).toEqual(
      expect.arrayContaining(['content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options']),
    )
  })

  it('leaves no X-Powered-By on the app’s answers', async () => {
    const t = await createTestApp()
    const res = await request(t.app).get('/health')
    await t.close()

    expect(res.headers['x-powered-by']).toBeUndefined()
    expect(res.headers['x-content-type-options']).toBe('nosniff')
  })
})
