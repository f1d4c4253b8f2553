import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb'
import type { Config } from '../config'
import { dynamodbSdk } from '../deferred'
import { rethrowUnavailable } from './errors'

/**
 * The SDK's client and document commands, loaded with the first database call (see ../deferred.ts):
 * repositories take their commands from here, never from an import, so a cold start that makes no
 * database call never loads the SDK.
 */
export const documentCommands = dynamodbSdk

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
    // The SDK's default agent keeps connections alive, so warm invocations skip the TLS handshake. Its
    // default of 50 sockets is below what one worker of Lambda Managed Instances runs at once (64
    // invocations, some making two calls together), and time spent waiting for a socket counts against
    // connectionTimeout: the invocations Lambda sends bound the sockets instead.
    requestHandler: {
      connectionTimeout: 1000,
      requestTimeout: 3000,
      httpAgent: { maxSockets: Infinity },
      httpsAgent: { maxSockets: Infinity },
    },
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
