import { CreateTableCommand, DescribeTableCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb'

/**
 * The single table. Keys: `pk` is the owner (`USER#<id>`, or `EMAIL#<email>` for sign-in), `sk` the
 * item (`NOTE#<id>`). Two sparse local indexes split a user's notes without a filter: `live` holds
 * notes in the list, `trash` those in the trash; a note moves between them by one conditional update.
 * Mirrored by the table in serverless.yml, which also adds the stream and TTL on `expiresAt`.
 */
export const tableIndexes = { live: 'live', trash: 'trash' } as const

export function tableDefinition(tableName: string): CreateTableCommandInput {
  const localIndex = (name: string, sortKey: string) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' as const },
      { AttributeName: sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  })
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'liveSk', AttributeType: 'S' },
      { AttributeName: 'trashSk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    LocalSecondaryIndexes: [localIndex(tableIndexes.live, 'liveSk'), localIndex(tableIndexes.trash, 'trashSk')],
  }
}

/** Creates the table when it is missing and waits until it is active. For dev and tests; on AWS, CloudFormation owns it. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const status = await describeStatus(client, tableName)
    if (status === 'ACTIVE') return
    if (status === undefined) await client.send(new CreateTableCommand(tableDefinition(tableName))).catch(unlessInUse)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`Table ${tableName} did not become active`)
}

/** Another process created the table first: fine, wait for it like ours. */
function unlessInUse(err: unknown): void {
  if ((err as { name?: string }).name !== 'ResourceInUseException') throw err
}

async function describeStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }))
    return Table?.TableStatus
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined
    throw err
  }
}
