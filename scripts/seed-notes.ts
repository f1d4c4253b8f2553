import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb'
import { createIdGenerator } from '../app/notes/ids'

/**
 * Writes `count` notes of `bodyChars` characters for one user straight into the table, as the notes
 * repository stores them, 25 to a BatchWriteItem: the large exports of `npm run bench` and the
 * streaming tests, in seconds rather than a POST per note. Returns the bytes of their JSON, which is
 * about the size of the export.
 * @example await seedNotes(db, tableName, 'user-ada', 1070, 49_000) // a 50 MB export
 */
export async function seedNotes(
  db: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
  count: number,
  bodyChars: number,
): Promise<number> {
  const nextId = createIdGenerator(() => new Date())
  const body = 'n'.repeat(bodyChars)
  let bytes = 0
  for (let first = 0; first < count; first += 25) {
    const items = []
    for (let i = first; i < Math.min(count, first + 25); i++) {
      const id = nextId()
      const now = new Date().toISOString()
      const note = { id, title: `Note ${i}`, body, tags: [`t${i % 7}`], createdAt: now, updatedAt: now, version: 1 }
      bytes += Buffer.byteLength(JSON.stringify(note)) + 1
      items.push({ PutRequest: { Item: { pk: `USER#${userId}`, sk: `NOTE#${id}`, liveSk: id, ...note } } })
    }
    let unprocessed: BatchWriteCommandInput['RequestItems'] = { [tableName]: items }
    while (unprocessed && Object.keys(unprocessed).length > 0) {
      const written: BatchWriteCommandOutput = await db.send(new BatchWriteCommand({ RequestItems: unprocessed }))
      unprocessed = written.UnprocessedItems
    }
  }
  return bytes
}
