import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { Config } from '../config'

/**
 * The one document client of a process. Retries and timeouts are chosen to end well inside
 * API Gateway's 30 s: at most 3 attempts, each given up after 3 s without an answer.
 */
export function createDocumentClient(config: Pick<Config, 'region' | 'dynamodbEndpoint'>): DynamoDBDocumentClient {
  const local = config.dynamodbEndpoint !== undefined
  const client = new DynamoDBClient({
    region: config.region,
    endpoint: config.dynamodbEndpoint,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
    // A local endpoint (dynalite, DynamoDB Local) accepts any credentials; real DynamoDB uses the role's.
    credentials: local ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
  })
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  })
}
