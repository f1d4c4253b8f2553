import type { RequestAuthorizerEventV2, SimpleAuthorizerResult } from '../authorizer'
import { loadConfig } from '../app/config'
import { testSecret } from './helpers/app'
import { coldStart } from './helpers/entries'
import { generateSigningKey, signIdpToken, startJwksServer, type JwksServer } from './helpers/jwks-server'
import { signExpiredToken, signToken } from './helpers/tokens'

type Handler = (event: RequestAuthorizerEventV2, context: unknown) => Promise<SimpleAuthorizerResult>

/** Loads authorizer.ts as Lambda does on a cold start: a fresh module, configured from process.env. */
const startAuthorizer = (env: Record<string, string>): Handler =>
  coldStart(env, () => (require('../authorizer') as typeof import('../authorizer')).handler)

/** An HTTP API (payload format 2.0) request-authorizer event, identity source `$request.header.Authorization`. */
function authorizerEvent(authorization?: string): RequestAuthorizerEventV2 {
  const headers: Record<string, string> = { accept: 'application/json', host: 'abc123.execute-api.eu-west-1.amazonaws.com' }
  if (authorization !== undefined) headers.authorization = authorization
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/api/notes',
    identitySource: authorization === undefined ? null : [authorization],
    routeKey: '$default',
    rawPath: '/api/notes',
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'GET', path: '/api/notes', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'jest' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Dec/2026:12:00:00 +0000',
      timeEpoch: 1796126400000,
    },
  }
}

const lambdaContext = { awsRequestId: 'invocation-1', functionName: 'notes-authorizer' }
const issuer = 'https://idp.example.test/'
const audience = 'notes-api'

describe('authorizer with JWT_JWKS_URI', () => {
  const key = generateSigningKey('ES256')
  let idp: JwksServer
  let handler: Handler
  beforeAll(async () => {
    idp = await startJwksServer([key])
    handler = startAuthorizer({
      JWT_JWKS_URI: idp.uri,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: audience,
      CURSOR_SECRET: testSecret, // shared by every function of the stack, as JWT_SECRET is in serverless.yml
      // Not AWS_LAMBDA_FUNCTION_NAME: production takes an https JWKS only, and this test's identity provider is plain HTTP on 127.0.0.1.
      TABLE_NAME: 'notes',
    })
  })
  afterAll(() => idp.stop())
  afterEach(() => void (idp.failWith = undefined))

  const idpToken = (claims: Record<string, unknown> = {}) =>
    signIdpToken(key, { sub: 'idp|ada', email: 'ada@example.com', iss: issuer, aud: audience, scope: 'notes:read notes:write', ...claims })

  it('when the token is valid, then it is allowed with sub, email and scopes in the context', async () => {
    const result = await handler(authorizerEvent(`Bearer ${idpToken()}`), lambdaContext)

    expect(result).toEqual({ isAuthorized: true, context: { sub: 'idp|ada', email: 'ada@example.com', scopes: 'notes:read notes:write' } })
  })

  it('when the token has Auth0-style permissions and no email, then the context lists them with an empty email', async () => {
    const result = await handler(
      authorizerEvent(`Bearer ${idpToken({ email: undefined, scope: undefined, permissions: ['notes:read'] })}`),
      lambdaContext,
    )

    expect(result).toEqual({ isAuthorized: true, context: { sub: 'idp|ada', email: '', scopes: 'notes:read' } })
  })

  it('when many invocations reuse the container, then the JWKS is fetched once', async () => {
    for (let i = 0; i < 5; i++)
      expect((await handler(authorizerEvent(`Bearer ${idpToken({ sub: `user-${i}` })}`), lambdaContext)).isAuthorized).toBe(true)

    expect(idp.fetches).toBe(1)
  })

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty bearer', 'Bearer '],
    ['garbage', 'Bearer not.a.jwt'],
    ['an expired token', `Bearer ${signIdpToken(key, { sub: 'u', iss: issuer, aud: audience, exp: Math.floor(Date.now() / 1000) - 120 })}`],
    ['a wrong audience', `Bearer ${signIdpToken(key, { sub: 'u', iss: issuer, aud: 'another-api' })}`],
    ['an HS256 token signed with JWT_SECRET', `Bearer ${signToken(loadConfig({}), {}, { issuer, audience })}`],
  ])('when the request has %s, then it is denied with no context', async (_case, authorization) => {
    const result = await handler(authorizerEvent(authorization), lambdaContext)

    expect(result).toEqual({ isAuthorized: false })
  })

  it('when the header is missing but the identity source holds the token, then the identity source is used', async () => {
    const event = { ...authorizerEvent(`Bearer ${idpToken()}`), headers: {} }

    const result = await handler(event, lambdaContext)

    expect(result.isAuthorized).toBe(true)
  })

  it('when the JWKS cannot be fetched for an unseen key, then the invocation fails (no cached deny), while cached keys still allow', async () => {
    const unseen = generateSigningKey('ES256')
    idp.keys = [key, unseen]
    idp.failWith = 503

    const failed = handler(authorizerEvent(`Bearer ${signIdpToken(unseen, { iss: issuer, aud: audience })}`), lambdaContext)
    await expect(failed).rejects.toMatchObject({ status: 503 })
    const cached = await handler(authorizerEvent(`Bearer ${idpToken()}`), lambdaContext)

    expect(cached.isAuthorized).toBe(true)
  })
})

describe('authorizer without JWT_JWKS_URI (the app’s own tokens)', () => {
  let handler: Handler
  beforeAll(() => void (handler = startAuthorizer({ JWT_SECRET: testSecret, JWT_JWKS_URI: '' })))
  const config = loadConfig({ JWT_SECRET: testSecret })

  it('when an issued token is valid, then it is allowed with its claims in the context', async () => {
    const result = await handler(authorizerEvent(`Bearer ${signToken(config, { sub: 'u-7', email: 'u7@example.com' })}`), lambdaContext)

    expect(result).toEqual({ isAuthorized: true, context: { sub: 'u-7', email: 'u7@example.com', scopes: 'notes:read notes:write' } })
  })

  it('when an issued token has expired, then it is denied', async () => {
    const result = await handler(authorizerEvent(`Bearer ${signExpiredToken(config)}`), lambdaContext)

    expect(result).toEqual({ isAuthorized: false })
  })
})
