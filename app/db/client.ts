import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { Config } from '../config'

type Sdk = typeof import('./sdk')

/**
 * The one document client of a process. Retries and timeouts are chosen to end well inside
 * API Gateway's 30 s: at most 3 attempts, each given up after 3 s without an answer.
 *
 * It is built on first use: the AWS SDK takes tens of milliseconds to load, which a Lambda cold start
 * that answers `/health` or a 401 never needs. The first database call loads it and makes the client;
 * every later call reuses that client and its keep-alive connections.
 */
export function createDocumentClient(config: Pick<Config, 'region' | 'dynamodbEndpoint'>): DynamoDBDocumentClient {
  let client: DynamoDBDocumentClient | undefined
  const real = () => (client ??= connect(config))
  // Any property (send, destroy, middlewareStack, config) builds the client; methods keep it as `this`.
  return new Proxy({} as DynamoDBDocumentClient, {
    get(_target, property) {
      if (property === 'destroy' && client === undefined) return () => undefined // nothing to close yet
      const value = Reflect.get(real(), property)
      return typeof value === 'function' ? value.bind(client) : value
    },
  })
}

/**
 * The document commands (GetCommand, QueryCommand...), loaded on the first call. Repositories take
 * them from here rather than importing them, so the SDK stays unloaded until a request reads or writes.
 */
export function documentCommands(): Sdk {
  return (sdk ??= require('./sdk'))
}

let sdk: Sdk | undefined

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
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  })
}
