import request from 'supertest'
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../app/db/embedded'
import { createTestApp, type TestApp } from '../helpers/app'
import { generateSigningKey, signIdpToken, startJwksServer, type JwksServer } from '../helpers/jwks-server'
import { bearer } from '../helpers/tokens'

const key = generateSigningKey('RS256')
let idp: JwksServer
let dynamo: EmbeddedDynamo
beforeAll(async () => {
  idp = await startJwksServer([key])
  dynamo = await startEmbeddedDynamo()
})
afterAll(async () => {
  await idp.stop()
  await dynamo.close()
})

const appFor = (issuer: string, audience: string) =>
  createTestApp({ env: { JWT_JWKS_URI: idp.uri, JWT_ISSUER: issuer, JWT_AUDIENCE: audience }, dynamo })
const createNote = (app: TestApp['app'], token: string) => request(app).post('/api/notes').set(bearer(token)).send({ title: 'Hello' })

describe('Auth0-shaped tokens', () => {
  const issuer = 'https://example-tenant.eu.auth0.com/' // Auth0 issuers end with a slash
  const audience = 'https://notes.example.com' // the API identifier
  const auth0Token = (claims: Record<string, unknown>) =>
    signIdpToken(key, {
      sub: 'auth0|64f1c0ffee',
      iss: issuer,
      aud: [audience, `${issuer}userinfo`],
      azp: 'spa-client-id',
      scope: 'openid profile email',
      ...claims,
    })

  let t: TestApp
  beforeAll(async () => void (t = await appFor(issuer, audience)))
  afterAll(() => t.close())

  it('when the permissions array lacks notes:write, then POST /api/notes is 403', async () => {
    const res = await createNote(t.app, auth0Token({ permissions: ['notes:read'] }))

    expect(res.status).toBe(403)
    expect(res.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="notes:write"')
  })

  it.each([
    ['permissions', { permissions: ['notes:read', 'notes:write'] }],
    ['scp', { scp: ['notes:read', 'notes:write'] }],
  ])('when the %s array grants notes:write, then POST /api/notes is 201', async (_claim, claims) => {
    const res = await createNote(t.app, auth0Token(claims))

    expect(res.status).toBe(201)
  })

  it('when aud is an array holding the API identifier, then /api/me names the Auth0 user', async () => {
    const res = await request(t.app)
      .get('/api/me')
      .set(bearer(auth0Token({})))

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ id: 'auth0|64f1c0ffee', email: null })
  })
})

describe('Cognito-shaped access tokens', () => {
  const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123'
  const clientId = '4e1ple2client3id4'
  const cognitoToken = (claims: Record<string, unknown>) =>
    signIdpToken(key, {
      sub: 'a1b2c3d4-0000-4000-8000-000000000001',
      iss: issuer,
      token_use: 'access',
      client_id: clientId,
      username: 'ada',
      ...claims,
    })

  describe('JWT_AUDIENCE is the app client id', () => {
    let t: TestApp
    beforeAll(async () => void (t = await appFor(issuer, clientId)))
    afterAll(() => t.close())

    it('when the scope string lacks notes:write, then POST /api/notes is 403', async () => {
      const res = await createNote(t.app, cognitoToken({ scope: 'notes:read' }))

      expect(res.status).toBe(403)
    })

    it('when the scope string grants notes:write, then POST /api/notes is 201 for the token subject', async () => {
      const token = cognitoToken({ scope: 'openid notes:read notes:write' })

      const created = await createNote(t.app, token)
      const me = await request(t.app).get('/api/me').set(bearer(token))

      expect(created.status).toBe(201)
      expect(me.body.id).toBe('a1b2c3d4-0000-4000-8000-000000000001')
    })

    it.each([
      ['the client_id of another app client', { client_id: 'some-other-client', scope: 'notes:read notes:write' }],
      ['no client_id', { client_id: undefined, scope: 'notes:read notes:write' }],
      ['token_use id (an ID token, whose aud is the client id)', { token_use: 'id', aud: clientId, email: 'ada@example.com' }],
      ['no token_use', { token_use: undefined, scope: 'notes:read notes:write' }],
    ])('when the token has %s, then 401', async (_case, claims) => {
      const res = await createNote(t.app, cognitoToken(claims))

      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"')
    })
  })

  describe('JWT_AUDIENCE is the resource server identifier', () => {
    const resourceServer = 'https://notes.example.com'
    let t: TestApp
    beforeAll(async () => void (t = await appFor(issuer, resourceServer)))
    afterAll(() => t.close())

    it('when its custom scopes grant notes:write, then POST /api/notes is 201 from any app client', async () => {
      const res = await createNote(
        t.app,
        cognitoToken({ client_id: 'any-client', scope: `${resourceServer}/notes:read ${resourceServer}/notes:write` }),
      )

      expect(res.status).toBe(201)
    })

    it('when its custom scopes hold only notes:read, then POST /api/notes is 403', async () => {
      const res = await createNote(t.app, cognitoToken({ scope: `${resourceServer}/notes:read` }))

      expect(res.status).toBe(403)
    })

    it('when the scopes belong to another resource server, then 401', async () => {
      const res = await createNote(
        t.app,
        cognitoToken({ scope: 'https://other.example.com/notes:read https://other.example.com/notes:write' }),
      )

      expect(res.status).toBe(401)
    })
  })
})
