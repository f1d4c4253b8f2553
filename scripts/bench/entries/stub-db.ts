import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'

/**
 * A document client that answers without a database, for the warm-cost figure only: a query gets one
 * page of `count` notes, anything else an empty answer. The repositories still build their real
 * commands (and so load the SDK); only the round trip is left out.
 */
export function stubDocumentClient(count = 5): DynamoDBDocumentClient {
  const now = new Date('2026-12-01T12:00:00.000Z').toISOString()
  const Items = Array.from({ length: count }, (_, i) => {
    const id = `01KBC7J5Q4Z7W3M2X8N6R1T0V${'ABCDEFGHJK'[i % 10]}`
    return {
      pk: 'USER#bench',
      sk: `NOTE#${id}`,
      liveSk: id,
      id,
      title: `Note ${i + 1}`,
      body: 'A short body.',
      tags: ['bench'],
      createdAt: now,
      updatedAt: now,
      version: 1,
    }
  })
  const send = async (command: { input: Record<string, unknown> }) =>
    'KeyConditionExpression' in command.input ? { Items, $metadata: {} } : { $metadata: {} }
  return { send, destroy: () => undefined } as unknown as DynamoDBDocumentClient
}
