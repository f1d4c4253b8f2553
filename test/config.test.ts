import { ConfigError, loadConfig, loadDevServerConfig } from '../app/config'

const secret = 'a-production-secret-of-at-least-32-bytes'

describe('loadConfig', () => {
  it('when nothing is set in dev, then it uses the documented defaults and flags the dev secret', () => {
    const config = loadConfig({})

    expect(config.production).toBe(false)
    expect(config.tableName).toBe('notes')
    expect(config.dynamodbEndpoint).toBeUndefined()
    expect(config.corsOrigins).toEqual(['http://localhost:5173', 'http://127.0.0.1:3000'])
    expect(config.jwt).toEqual(expect.objectContaining({ issuer: 'notes-api', audience: 'notes-api', ttlSeconds: 900 }))
    expect(config.signIn).toEqual({
      refreshTtlSeconds: 2592000,
      maxAgeSeconds: 2592000,
      loginLimitPerEmail: 5,
      loginLimitPerAddress: 100,
      registerLimitPerAddress: 20,
    })
    expect(config.jwt.secret).toBeDefined()
    expect(config.usingDevSecret).toBe(true)
  })

  it.each([
    ['NODE_ENV=production', { NODE_ENV: 'production', TABLE_NAME: 't' }],
    ['on Lambda', { AWS_LAMBDA_FUNCTION_NAME: 'api', TABLE_NAME: 't' }],
  ])('when %s has neither JWT_SECRET nor JWT_JWKS_URI, then it refuses to start', (_name, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(/JWT_SECRET .* or JWT_JWKS_URI must be set in production/)
  })

  it('when JWT_SECRET is shorter than 32 bytes, then it refuses to start', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', TABLE_NAME: 't', JWT_SECRET: 'short' })).toThrow(/at least 32 bytes/)
  })

  it('when production is configured, then it never falls back to the dev secret', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      TABLE_NAME: 't',
      JWT_SECRET: secret,
      CORS_ORIGINS: 'https://app.example, https://b.example',
    })

    expect(config.usingDevSecret).toBe(false)
    expect(config.jwt.secret?.export().toString()).toBe(secret)
    expect(config.corsOrigins).toEqual(['https://app.example', 'https://b.example'])
  })

  it('when JWT_JWKS_URI is set without JWT_ISSUER or JWT_AUDIENCE, then it names both', () => {
    const env = { TABLE_NAME: 't', JWT_JWKS_URI: 'https://idp.example/.well-known/jwks.json' }

    expect(() => loadConfig(env)).toThrow('JWT_ISSUER and JWT_AUDIENCE must be set with JWT_JWKS_URI')
    expect(() => loadConfig({ ...env, JWT_ISSUER: 'https://idp.example/' })).toThrow(ConfigError)
  })

  it('when JWT_JWKS_URI (with its issuer and audience) and CURSOR_SECRET are set in production, then it starts without a JWT secret', () => {
    const config = loadConfig({
      AWS_LAMBDA_FUNCTION_NAME: 'api',
      TABLE_NAME: 't',
      JWT_JWKS_URI: 'https://idp.example/.well-known/jwks.json',
      JWT_ISSUER: 'https://idp.example/',
      JWT_AUDIENCE: 'notes',
      CURSOR_SECRET: secret,
    })

    expect(config.jwt.secret).toBeUndefined()
    expect(config.jwt.jwksUri).toBe('https://idp.example/.well-known/jwks.json')
    expect(config.cursorKeyFrom).toBe('CURSOR_SECRET')
  })

  it('when production has no TABLE_NAME, then it names the missing variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret })).toThrow('TABLE_NAME must be set')
  })

  it.each(['0', '-5', 'soon', '1.5'])('when JWT_TTL_SECONDS is %p, then it names the variable', (ttl) => {
    expect(() => loadConfig({ JWT_TTL_SECONDS: ttl })).toThrow(/JWT_TTL_SECONDS must be a positive whole number/)
  })

  it('when the sign-in variables are set, then they are used', () => {
    const config = loadConfig({
      JWT_TTL_SECONDS: '60',
      REFRESH_TTL_SECONDS: '3600',
      SIGN_IN_MAX_AGE_SECONDS: '86400',
      LOGIN_LIMIT_PER_EMAIL: '3',
      LOGIN_LIMIT_PER_ADDRESS: '50',
      REGISTER_LIMIT_PER_ADDRESS: '7',
    })

    expect(config.jwt.ttlSeconds).toBe(60)
    expect(config.signIn).toEqual({
      refreshTtlSeconds: 3600,
      maxAgeSeconds: 86400,
      loginLimitPerEmail: 3,
      loginLimitPerAddress: 50,
      registerLimitPerAddress: 7,
    })
  })

  it.each([
    [
      'production',
      { NODE_ENV: 'production', TABLE_NAME: 't', CURSOR_SECRET: secret },
      'http://127.0.0.1:8080/jwks.json',
      /must be https in production/,
    ],
    [
      'production',
      { NODE_ENV: 'production', TABLE_NAME: 't', CURSOR_SECRET: secret },
      'http://idp.example/jwks.json',
      /must be https in production/,
    ],
    ['dev', {}, 'http://idp.example/jwks.json', /must be https \(or http to localhost off production\)/],
    ['dev', {}, 'not a url', /must be an https URL/],
  ])('when %s has JWT_JWKS_URI %s over plain HTTP, then it refuses to start', (_where, env, uri, message) => {
    const jwks = { JWT_JWKS_URI: uri, JWT_ISSUER: 'https://idp.example/', JWT_AUDIENCE: 'notes' }
    expect(() => loadConfig({ ...(env as Record<string, string>), ...jwks })).toThrow(message)
  })

  it('when dev has JWT_JWKS_URI over plain HTTP to a loopback address (a local identity provider), then it starts', () => {
    const config = loadConfig({
      JWT_JWKS_URI: 'http://127.0.0.1:8080/jwks.json',
      JWT_ISSUER: 'https://idp.example/',
      JWT_AUDIENCE: 'notes',
    })
    expect(config.jwt.jwksUri).toBe('http://127.0.0.1:8080/jwks.json')
  })

  it.each([
    'REFRESH_TTL_SECONDS',
    'SIGN_IN_MAX_AGE_SECONDS',
    'LOGIN_LIMIT_PER_EMAIL',
    'LOGIN_LIMIT_PER_ADDRESS',
    'REGISTER_LIMIT_PER_ADDRESS',
  ])('when %s is not a positive whole number, then it names it', (name) => {
    for (const value of ['0', '-1', 'many', '2.5']) {
      expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name} must be a positive whole number, got "${value}"`))
    }
  })

  it('when REFRESH_TTL_SECONDS is not longer than JWT_TTL_SECONDS, then it refuses to start, naming both', () => {
    expect(() => loadConfig({ JWT_TTL_SECONDS: '900', REFRESH_TTL_SECONDS: '900' })).toThrow(
      'REFRESH_TTL_SECONDS (900) must be longer than JWT_TTL_SECONDS (900)',
    )
  })

  it('when the secrets differ, then the cursor keys differ and neither is the JWT secret', () => {
    const a = loadConfig({ JWT_SECRET: secret })
    const b = loadConfig({ JWT_SECRET: secret + '!' })

    expect(a.cursorKey.export().equals(b.cursorKey.export())).toBe(false)
    expect(a.cursorKey.export().toString()).not.toContain(secret)
  })
})

describe('loadConfig and CloudFormation references', () => {
  it('when a variable still holds an unresolved {{resolve:...}} reference, then it refuses to start, naming it', () => {
    const reference = '{{resolve:ssm:/notes/prod/jwt-secret}}'

    expect(() => loadConfig({ AWS_LAMBDA_FUNCTION_NAME: 'authorizer', TABLE_NAME: 't', JWT_SECRET: reference })).toThrow(
      `JWT_SECRET holds an unresolved CloudFormation reference (${reference})`,
    )
  })
})

describe('loadConfig: the key that signs pagination cursors', () => {
  const jwks = { JWT_JWKS_URI: 'https://idp.example/.well-known/jwks.json', JWT_ISSUER: 'https://idp.example/', JWT_AUDIENCE: 'notes' }
  const production = { AWS_LAMBDA_FUNCTION_NAME: 'api', TABLE_NAME: 't' }

  it('when production has JWT_JWKS_URI but neither CURSOR_SECRET nor JWT_SECRET, then it refuses to start, naming both', () => {
    expect(() => loadConfig({ ...production, ...jwks })).toThrow(ConfigError)
    expect(() => loadConfig({ ...production, ...jwks })).toThrow(
      'CURSOR_SECRET (at least 32 bytes) or JWT_SECRET must be set in production: pagination cursors are signed with it',
    )
  })

  it('when CURSOR_SECRET is shorter than 32 bytes, then it refuses to start, naming it', () => {
    expect(() => loadConfig({ ...jwks, CURSOR_SECRET: 'short' })).toThrow('CURSOR_SECRET must be at least 32 bytes long')
  })

  it('when only the public JWKS URL is known in dev, then cursors use the dev default, flagged, not a key derived from the URL', () => {
    const a = loadConfig(jwks)
    const b = loadConfig({ ...jwks, JWT_JWKS_URI: 'https://other.example/.well-known/jwks.json' })

    expect(a.cursorKeyFrom).toBe('dev default')
    expect(a.cursorKey.export().equals(b.cursorKey.export())).toBe(true)
  })

  it.each([
    ['CURSOR_SECRET and JWT_SECRET', { CURSOR_SECRET: secret + 'c', JWT_SECRET: secret }, 'CURSOR_SECRET'],
    ['JWT_SECRET alone', { JWT_SECRET: secret }, 'JWT_SECRET'],
    ['nothing (dev)', {}, 'dev default'],
  ])('with %s, it says which one signs cursors', (_name, env, from) => {
    expect(loadConfig(env).cursorKeyFrom).toBe(from)
  })

  it('when CURSOR_SECRET changes, then so does the cursor key, and it is not the secret itself', () => {
    const a = loadConfig({ ...jwks, CURSOR_SECRET: secret })
    const b = loadConfig({ ...jwks, CURSOR_SECRET: secret + '!' })

    expect(a.cursorKey.export().equals(b.cursorKey.export())).toBe(false)
    expect(a.cursorKey.export().toString()).not.toContain(secret)
  })
})

describe('loadConfig: password-reset emails', () => {
  const production = { AWS_LAMBDA_FUNCTION_NAME: 'api', TABLE_NAME: 't', JWT_SECRET: secret }

  it('when nothing is set in dev, then links point at the dev server and no sender is named', () => {
    const config = loadConfig({})

    expect(config.appUrl).toBe('http://127.0.0.1:3000')
    expect(config.mail).toEqual({ from: undefined, configurationSet: undefined })
  })

  it('when nothing is set in production, then neither is known: the api refuses to start (its mailer and reset need them)', () => {
    const config = loadConfig(production)

    expect(config.appUrl).toBeUndefined()
    expect(config.mail.from).toBeUndefined()
  })

  it('when APP_URL, MAIL_FROM and SES_CONFIGURATION_SET are set, then it keeps them, the URL without a trailing slash', () => {
    const config = loadConfig({
      ...production,
      APP_URL: 'https://notes.example.com/',
      MAIL_FROM: 'Notes <no-reply@example.com>',
      SES_CONFIGURATION_SET: 'notes-prod',
    })

    expect(config.appUrl).toBe('https://notes.example.com')
    expect(config.mail).toEqual({ from: 'Notes <no-reply@example.com>', configurationSet: 'notes-prod' })
  })

  it.each([
    ['not a URL', 'notes.example.com'],
    ['another scheme', 'ftp://notes.example.com'],
    ['a query', 'https://notes.example.com/?a=1'],
    ['a fragment', 'https://notes.example.com/#x'],
    ['plain http in production', 'http://notes.example.com'],
  ])('when APP_URL is %s, then it refuses to start, naming APP_URL', (_name, value) => {
    expect(() => loadConfig({ ...production, APP_URL: value })).toThrow(ConfigError)
    expect(() => loadConfig({ ...production, APP_URL: value })).toThrow(/APP_URL/)
  })

  it('when production runs on this machine (npm run offline), then http on the loopback address is allowed', () => {
    expect(loadConfig({ ...production, APP_URL: 'http://127.0.0.1:4000' }).appUrl).toBe('http://127.0.0.1:4000')
  })

  it.each([
    ['MAIL_FROM', 'no-reply'],
    ['MAIL_FROM', 'Notes <no-reply>'],
    ['SES_CONFIGURATION_SET', 'has spaces'],
  ])('when %s is "%s", then it refuses to start, naming it', (name, value) => {
    expect(() => loadConfig({ ...production, [name]: value })).toThrow(new RegExp(`^${name} must be`))
  })
})

describe('loadDevServerConfig', () => {
  it('when nothing is set, then it listens on 127.0.0.1:3000 with its data and its outbox under .data/', () => {
    expect(loadDevServerConfig({}, '/project')).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: '/project/.data/dynamodb',
      outboxDir: '/project/.data/outbox',
      appUrl: 'http://127.0.0.1:3000',
      skipSpaBuild: false,
    })
  })

  it('when PORT, HOST, DATA_DIR and SKIP_SPA_BUILD are set, then it follows them', () => {
    expect(loadDevServerConfig({ PORT: '4000', HOST: '0.0.0.0', DATA_DIR: '/tmp/notes', SKIP_SPA_BUILD: '1' }, '/project')).toEqual({
      port: 4000,
      host: '0.0.0.0',
      dataDir: '/tmp/notes/dynamodb',
      outboxDir: '/tmp/notes/outbox',
      appUrl: 'http://0.0.0.0:4000',
      skipSpaBuild: true,
    })
  })

  it('when APP_URL is set (the SPA on Vite’s dev server), then reset links point there', () => {
    expect(loadDevServerConfig({ APP_URL: 'http://localhost:5173' }, '/project').appUrl).toBe('http://localhost:5173')
  })

  it.each(['abc', '0', '70000', '3000.5'])('when PORT is "%s", then it refuses to start, naming PORT', (port) => {
    expect(() => loadDevServerConfig({ PORT: port }, '/project')).toThrow(ConfigError)
    expect(() => loadDevServerConfig({ PORT: port }, '/project')).toThrow(/PORT/)
  })
})
