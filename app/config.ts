import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto'
import path from 'node:path'

/** Everything the app reads from its environment, parsed once. */
export interface Config {
  production: boolean
  tableName: string
  /** Set: talk to this DynamoDB endpoint. Unset: real DynamoDB on Lambda, embedded dynalite in dev. */
  dynamodbEndpoint?: string
  region: string
  jwt: JwtConfig
  /** Browser sign-ins (refresh cookies) and login throttling; see docs/AUTH.md. */
  signIn: SignInConfig
  corsOrigins: string[]
  /**
   * The SPA's public URL (`APP_URL`), without a trailing slash: password-reset links open a page there,
   * never at whatever Host a request named. Defaults to the dev server's address off production; unset
   * in production, the api refuses to start (app/auth/password-reset.ts).
   */
  appUrl?: string
  /** Email for password resets (app/mail): the sender and the SES configuration set. */
  mail: MailConfig
  /** Key that signs pagination cursors; derived from CURSOR_SECRET or else JWT_SECRET, never the secret itself. */
  cursorKey: KeyObject
  /** Which secret `cursorKey` comes from, for the entries to say at start. */
  cursorKeyFrom: 'CURSOR_SECRET' | 'JWT_SECRET' | 'dev default'
  /** Set when the dev-only secret is in use, so the dev server can warn about it loudly. */
  usingDevSecret: boolean
}

export interface JwtConfig {
  /** HS256 key for the tokens this app issues (and verifies), built once: verifying with a KeyObject is far cheaper than with a string. */
  secret?: KeyObject
  /** Set: tokens come from an external identity provider and are verified against this JWKS. */
  jwksUri?: string
  issuer: string
  audience: string
  ttlSeconds: number
}

export interface SignInConfig {
  /** Lifetime of a refresh cookie, renewed with each use: a sign-in unused this long has ended (the idle limit). */
  refreshTtlSeconds: number
  /** A sign-in ends this long after the password was entered, whatever its renewals (OWASP ASVS 3.3.2). */
  maxAgeSeconds: number
  /** Failed logins allowed for one email per 15-minute window before 429. */
  loginLimitPerEmail: number
  /** Failed logins allowed from one client address per 15-minute window before 429. */
  loginLimitPerAddress: number
  /** Registrations allowed from one client address per 15-minute window before 429. */
  registerLimitPerAddress: number
}

export interface MailConfig {
  /** `MAIL_FROM`: the sender, an address of an identity verified in SES (`Notes <no-reply@example.com>`); required by the SES mailer. */
  from?: string
  /** `SES_CONFIGURATION_SET`: the SES configuration set every email is sent in (event publishing, suppression). */
  configurationSet?: string
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const DEV_SECRET = 'dev-only-secret-never-use-in-production-0123456789'
const MIN_SECRET_BYTES = 32

/**
 * Reads the configuration from an environment object (pass `process.env`); pure, so tests pass plain objects.
 * Throws a ConfigError naming the variable at fault, so a bad deployment fails at start, not on a request.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  refuseUnresolvedReferences(env)
  const production = env.NODE_ENV === 'production' || Boolean(env.AWS_LAMBDA_FUNCTION_NAME)
  const jwksUri = optional(env.JWT_JWKS_URI)
  let secretText = optional(env.JWT_SECRET)
  let usingDevSecret = false

  if (secretText === undefined && jwksUri === undefined) {
    if (production) {
      throw new ConfigError(
        'JWT_SECRET (at least 32 bytes) or JWT_JWKS_URI must be set in production; refusing to start with the dev secret',
      )
    }
    secretText = DEV_SECRET
    usingDevSecret = true
  }
  if (secretText !== undefined && Buffer.byteLength(secretText) < MIN_SECRET_BYTES) {
    throw new ConfigError(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes long`)
  }
  if (jwksUri !== undefined) checkJwksUri(jwksUri, production)
  // This app's own defaults name no identity provider: with one, every token would fail its check.
  if (jwksUri !== undefined && (!optional(env.JWT_ISSUER) || !optional(env.JWT_AUDIENCE))) {
    throw new ConfigError(
      "JWT_ISSUER and JWT_AUDIENCE must be set with JWT_JWKS_URI, to the identity provider's issuer and this API's audience",
    )
  }
  const secret = secretText === undefined ? undefined : createSecretKey(Buffer.from(secretText))
  const ttlSeconds = positiveInt(env, 'JWT_TTL_SECONDS', 900)
  const refreshTtlSeconds = positiveInt(env, 'REFRESH_TTL_SECONDS', 30 * 24 * 3600)
  // A refresh cookie that dies before its access token could never renew anything.
  if (refreshTtlSeconds <= ttlSeconds) {
    throw new ConfigError(`REFRESH_TTL_SECONDS (${refreshTtlSeconds}) must be longer than JWT_TTL_SECONDS (${ttlSeconds})`)
  }
  const cursor = cursorSecret(env, usingDevSecret ? undefined : secretText, production)

  return {
    production,
    tableName: optional(env.TABLE_NAME) ?? (production ? required(env, 'TABLE_NAME') : 'notes'),
    dynamodbEndpoint: optional(env.DYNAMODB_ENDPOINT),
    region: optional(env.AWS_REGION) ?? optional(env.AWS_DEFAULT_REGION) ?? 'us-east-1',
    jwt: {
      secret,
      jwksUri,
      issuer: optional(env.JWT_ISSUER) ?? 'notes-api',
      audience: optional(env.JWT_AUDIENCE) ?? 'notes-api',
      ttlSeconds,
    },
    signIn: {
      refreshTtlSeconds,
      maxAgeSeconds: positiveInt(env, 'SIGN_IN_MAX_AGE_SECONDS', 30 * 24 * 3600),
      loginLimitPerEmail: positiveInt(env, 'LOGIN_LIMIT_PER_EMAIL', 5),
      loginLimitPerAddress: positiveInt(env, 'LOGIN_LIMIT_PER_ADDRESS', 100),
      registerLimitPerAddress: positiveInt(env, 'REGISTER_LIMIT_PER_ADDRESS', 20),
    },
    corsOrigins: list(env.CORS_ORIGINS) ?? (production ? [] : ['http://localhost:5173', 'http://127.0.0.1:3000']),
    appUrl: appUrl(optional(env.APP_URL), production),
    mail: { from: mailFrom(optional(env.MAIL_FROM)), configurationSet: configurationSet(optional(env.SES_CONFIGURATION_SET)) },
    cursorKey: deriveCursorKey(cursor.material),
    cursorKeyFrom: cursor.from,
    usingDevSecret,
  }
}

/** What only the dev server (app/dev.ts) reads: where it listens, and where the embedded DynamoDB keeps its files. */
export interface DevServerConfig {
  port: number
  host: string
  dataDir: string
  /** Where the dev server's emails go instead of being sent (`.data/outbox/`). */
  outboxDir: string
  /** `APP_URL`, or else the dev server's own address: where password-reset links point. */
  appUrl: string
  skipSpaBuild: boolean
}

/**
 * Reads the dev server's own variables, `PORT`, `HOST`, `DATA_DIR`, `APP_URL` and `SKIP_SPA_BUILD`; pure like
 * loadConfig. `root` is the project folder, where the data lives by default (`.data/`).
 */
export function loadDevServerConfig(env: Record<string, string | undefined>, root: string): DevServerConfig {
  const port = positiveInt(env, 'PORT', 3000)
  if (port > 65535) throw new ConfigError(`PORT must be a TCP port from 1 to 65535, got "${port}"`)
  const host = optional(env.HOST) ?? '127.0.0.1'
  const data = path.resolve(optional(env.DATA_DIR) ?? path.join(root, '.data'))
  return {
    port,
    host,
    dataDir: path.join(data, 'dynamodb'),
    outboxDir: path.join(data, 'outbox'),
    appUrl: env.APP_URL?.trim() ? appUrl(env.APP_URL.trim(), false)! : `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    skipSpaBuild: optional(env.SKIP_SPA_BUILD) !== undefined,
  }
}

/**
 * The JWKS holds the keys every token is checked with: fetched over plain HTTP, anyone on the path
 * could swap in keys of their own. So `https:` in production; off it, `http:` to a loopback address
 * too (a local identity provider or a test's key server).
 */
function checkJwksUri(jwksUri: string, production: boolean): void {
  let url: URL
  try {
    url = new URL(jwksUri)
  } catch {
    throw new ConfigError(`JWT_JWKS_URI must be an https URL, got "${jwksUri}"`)
  }
  if (url.protocol === 'https:') return
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
  if (url.protocol === 'http:' && loopback && !production) return
  throw new ConfigError(
    production
      ? `JWT_JWKS_URI must be https in production, got "${jwksUri}"`
      : `JWT_JWKS_URI must be https (or http to localhost off production), got "${jwksUri}"`,
  )
}

/**
 * Refuses a variable that still holds a CloudFormation dynamic reference (`{{resolve:ssm:...}}`).
 * CloudFormation resolves those only when it deploys a function; set any other way (`serverless
 * deploy function --update-config`, the console) the literal text would pass for a 36-byte secret
 * that anyone reading serverless.yml knows.
 */
function refuseUnresolvedReferences(env: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(env)) {
    if (value?.trimStart().startsWith('{{resolve:')) {
      throw new ConfigError(
        `${name} holds an unresolved CloudFormation reference (${value}); deploy the stack with "npx serverless deploy"`,
      )
    }
  }
}

/**
 * The secret cursors are signed with: CURSOR_SECRET, else JWT_SECRET, else (dev only) the dev secret.
 * Never anything public such as the JWKS URL: whoever could compute the key could forge cursors.
 */
function cursorSecret(
  env: Record<string, string | undefined>,
  jwtSecret: string | undefined,
  production: boolean,
): { material: string; from: Config['cursorKeyFrom'] } {
  const own = optional(env.CURSOR_SECRET)
  if (own !== undefined) {
    if (Buffer.byteLength(own) < MIN_SECRET_BYTES) throw new ConfigError(`CURSOR_SECRET must be at least ${MIN_SECRET_BYTES} bytes long`)
    return { material: own, from: 'CURSOR_SECRET' }
  }
  if (jwtSecret !== undefined) return { material: jwtSecret, from: 'JWT_SECRET' }
  if (production) {
    throw new ConfigError(
      `CURSOR_SECRET (at least ${MIN_SECRET_BYTES} bytes) or JWT_SECRET must be set in production: pagination cursors are signed with it`,
    )
  }
  return { material: DEV_SECRET, from: 'dev default' }
}

/**
 * The SPA's address for links in emails: an http(s) URL with no query or fragment. In production it
 * must be https (the link carries a secret), except on this machine's own address (`npm run offline`).
 */
function appUrl(value: string | undefined, production: boolean): string | undefined {
  if (value === undefined) return production ? undefined : 'http://127.0.0.1:3000'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(`APP_URL must be the SPA's URL, such as https://notes.example.com, got "${value}"`)
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`APP_URL must be an http(s) URL without query, fragment or credentials, got "${value}"`)
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (production && url.protocol !== 'https:' && !loopback) {
    throw new ConfigError(`APP_URL must be https in production: password-reset links carry a secret, got "${value}"`)
  }
  return url.href.replace(/\/+$/, '')
}

/** An address, bare or with a display name (`Notes <no-reply@example.com>`); SES checks the rest. */
function mailFrom(value: string | undefined): string | undefined {
  if (value !== undefined && !/^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/.test(value)) {
    throw new ConfigError(`MAIL_FROM must be an email address, such as "Notes <no-reply@example.com>", got "${value}"`)
  }
  return value
}

function configurationSet(value: string | undefined): string | undefined {
  if (value !== undefined && !/^[\w-]{1,64}$/.test(value)) {
    throw new ConfigError(`SES_CONFIGURATION_SET must be a configuration set's name (letters, digits, _ and -), got "${value}"`)
  }
  return value
}

/** Cursors are signed with a key derived from their secret, so the secret itself signs nothing else twice. */
function deriveCursorKey(material: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', material, 'notes-cursor', 'cursor-signing-v1', 32)))
}

function optional(value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed ? trimmed : undefined
}

function required(env: Record<string, string | undefined>, name: string): string {
  const value = optional(env[name])
  if (value === undefined) throw new ConfigError(`${name} must be set`)
  return value
}

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = optional(env[name])
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value <= 0) throw new ConfigError(`${name} must be a positive whole number, got "${raw}"`)
  return value
}

function list(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean)
  return items && items.length > 0 ? items : undefined
}
