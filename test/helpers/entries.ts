import path from 'node:path'
import { createDocumentClient } from '../../app/db/client'
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../app/db/embedded'
import { ensureTable } from '../../app/db/table'

/**
 * Runs `load` in a fresh module registry with `env` added to process.env, as a new Lambda container
 * starts an entry, and puts the environment back afterwards. `load` requires with the caller's paths.
 * The entry gets no mounts, whatever app/existing/mounts.ts lists in the checkout (a team's own app
 * mounted there must not change the project's tests); `load` may jest.doMock that file with its own.
 * @example const { handler } = coldStart({ TABLE_NAME: 't' }, () => require('../lambda') as typeof import('../lambda'))
 */
export function coldStart<T>(env: Record<string, string>, load: () => T): T {
  const saved = process.env
  process.env = { ...saved, ...env }
  try {
    let loaded: { value: T } | undefined
    jest.isolateModules(() => {
      jest.doMock(path.resolve(__dirname, '../../app/existing/mounts'), () => ({ mounts: [] }))
      loaded = { value: load() }
    })
    return loaded!.value
  } finally {
    process.env = saved
  }
}

/** An embedded DynamoDB holding one table, for entries that build their own client from DYNAMODB_ENDPOINT. */
export async function startDynamoWithTable(tableName: string): Promise<EmbeddedDynamo> {
  const dynamo = await startEmbeddedDynamo()
  const db = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: dynamo.endpoint })
  await ensureTable(db, tableName)
  db.destroy()
  return dynamo
}
