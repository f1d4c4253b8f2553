import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto'

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
  /** Key that signs pagination cursors; derived from the JWT secret, never the secret itself. */
  cursorKey: KeyObject
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
  /** Lifetime of a refresh cookie, renewed with each use: a sign-in unused this long has ended. */
  refreshTtlSeconds: number
  /** Failed logins allowed for one email per 15-minute window before 429. */
  loginLimitPerEmail: number
  /** Failed logins allowed from one client address per 15-minute window before 429. */
  loginLimitPerAddress: number
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
  if (jwksUri !== undefined && !/^https?:\/\//.test(jwksUri)) {
    throw new ConfigError('JWT_JWKS_URI must be an http(s) URL')
  }
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
      loginLimitPerEmail: positiveInt(env, 'LOGIN_LIMIT_PER_EMAIL', 5),
      loginLimitPerAddress: positiveInt(env, 'LOGIN_LIMIT_PER_ADDRESS', 100),
    },
    corsOrigins: list(env.CORS_ORIGINS) ?? (production ? [] : ['http://localhost:5173', 'http://127.0.0.1:3000']),
    cursorKey: deriveCursorKey(secretText ?? jwksUri ?? DEV_SECRET),
    usingDevSecret,
  }
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
 * Cursors are signed with a key derived from the JWT secret. Without one (JWKS mode), the key comes from the
 * JWKS URI: cursors still detect tampering and stay bound to their user, whose partition the token alone picks.
 */
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
