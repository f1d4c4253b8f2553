import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb'
import type { Config } from '../config'
import { rethrowUnavailable } from './errors'

type Sdk = typeof import('./sdk')

/**
 * The one thing the app loads after start: the AWS SDK, with the first database call.
 *
 * Why only this: measured with `npm run bench` (docs/BENCHMARKS.md), loading everything at start made
 * a cold `GET /health` cost about 1.4x the hello-world bundle's CPU and the first authenticated list
 * about 1.6x; leaving the SDK alone for later, 1.15x and 1.5x. The SDK is most of the code, and
 * neither `/health`, a 401 nor `/api/me` needs it. Deferring jsonwebtoken and the zod routers as well
 * made `/health` cheaper (0.92x) and the first authenticated list no cheaper (1.58x): that request
 * needs them anyway, so they load at start with the rest. (jwks-rsa is left out by configuration,
 * not deferred: see auth/verifier.ts.)
 *
 * `require('./sdk')` below is the only deferred require. The Lambda build compiles ./sdk.ts into a
 * file of its own (dist/dynamodb-sdk.js, see scripts/build-lambda.mjs), so a cold start neither parses
 * nor runs the SDK before it is needed; tests and the dev server require the module as it is.
 */
export function documentCommands(): Sdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the one deferred load, explained above
  return (sdk ??= require('./sdk') as Sdk)
}

let sdk: Sdk | undefined

/**
 * The one document client of a process, built with the first database call (see documentCommands).
 * Retries and timeouts are chosen to end well inside API Gateway's 30 s: at most 3 attempts, each
 * given up after 3 s without an answer. Every later call reuses the client and its keep-alive connections.
 */
export function createDocumentClient(config: Pick<Config, 'region' | 'dynamodbEndpoint'>): DynamoDBDocumentClient {
  let client: DynamoDBDocumentClient | undefined
  const real = () => (client ??= connect(config))
  // Any property (send, destroy, middlewareStack, config) builds the client; methods keep it as `this`.
  return new Proxy({} as DynamoDBDocumentClient, {
    get(_target, property) {
      if (property === 'destroy' && client === undefined) return () => undefined // nothing to close yet
      const value: unknown = Reflect.get(real(), property)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(client) : value
    },
  })
}

function connect(config: Pick<Config, 'region' | 'dynamodbEndpoint'>): DynamoDBDocumentClient {
  const { DynamoDBClient, DynamoDBDocumentClient } = documentCommands()
  const local = config.dynamodbEndpoint !== undefined
  const client = new DynamoDBClient({
    region: config.region,
    endpoint: config.dynamodbEndpoint,
    maxAttempts: 3,
    // The SDK's default agent keeps connections alive, so warm invocations skip the TLS handshake.
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
    // A local endpoint (dynalite, DynamoDB Local) accepts any credentials; real DynamoDB uses the role's.
    credentials: local ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
  })
  // Run on every call and needed by none of the app's: the User-Agent header AWS counts SDK use by, and
  // the X-Ray trace header, which only matters with active tracing, off for these functions.
  client.middlewareStack.remove('getUserAgentMiddleware')
  client.middlewareStack.remove('recursionDetectionMiddleware')
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  })
}

/**
 * Every item a query finds, page after page until DynamoDB has no more (each page at most 1 MB).
 * Throttling and outages become a 503, as for any other call (db/errors.ts).
 * @example const items = await queryAll(db, { TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues })
 */
export async function queryAll<Item = Record<string, unknown>>(db: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const { QueryCommand } = documentCommands()
  const items: Item[] = []
  let start: Record<string, unknown> | undefined
  do {
    const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: start })).catch(rethrowUnavailable)
    items.push(...((page.Items ?? []) as Item[])) // the caller names what its query finds
    start = page.LastEvaluatedKey
  } while (start)
  return items
}
