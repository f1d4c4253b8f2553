import { PublishCommand, SNSClient } from '@aws-sdk/client-sns'
import { mockClient } from 'aws-sdk-client-mock'
import type { StreamRecord } from '../app/changes/events'
import { createChangesHandler } from '../app/changes/handler'
import { snsPublisher } from '../app/changes/publisher'
import { createLogger } from '../app/logger'
import { coldStart } from './helpers/entries'
import type { LogLine } from './helpers/app'

/**
 * The `changes` function: DynamoDB stream records of the notes table, shaped as Lambda delivers
 * them with NEW_AND_OLD_IMAGES, become one SNS message per note change. SNS is mocked.
 */
const sns = mockClient(SNSClient)
const topicArn = 'arn:aws:sns:us-east-1:123456789012:notes-test-changes'
const logs: LogLine[] = []
const handler = createChangesHandler({
  publish: snsPublisher(new SNSClient({ region: 'us-east-1' }), topicArn),
  logger: createLogger({ write: (line) => logs.push(JSON.parse(line) as LogLine) }),
})

beforeEach(() => {
  sns.reset()
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' })
  logs.length = 0
})

const userId = '3f2c8a8e-1d7b-4c55-9a4e-0f6f2b1c9d10'
const noteId = '01KBC7J5Q4Z7W3M2X8N6R1T0VA'
const secretText = { title: 'Secret plans', body: 'The body nobody else may read', tag: 'private-tag' }

type Image = Record<string, { S: string } | { N: string } | { L: { S: string }[] }>

/** A note item as app/notes/repository.ts writes it, in DynamoDB's attribute-value form. */
function noteImage(version: number, place: 'live' | 'trash'): Image {
  const item: Image = {
    pk: { S: `USER#${userId}` },
    sk: { S: `NOTE#${noteId}` },
    id: { S: noteId },
    title: { S: secretText.title },
    body: { S: secretText.body },
    tags: { L: [{ S: secretText.tag }] },
    createdAt: { S: '2026-12-01T10:00:00.000Z' },
    updatedAt: { S: '2026-12-01T11:00:00.000Z' },
    version: { N: String(version) },
  }
  if (place === 'live') item.liveSk = { S: noteId }
  else Object.assign(item, { trashSk: { S: `2026-12-01T11:00:00.000Z#${noteId}` }, expiresAt: { N: '1767178800' } })
  return item
}

let sequence = 100000000000000000000n

function streamRecord(
  eventName: StreamRecord['eventName'],
  images: { OldImage?: Image; NewImage?: Image; keys?: Image },
  extra: Partial<StreamRecord> = {},
): StreamRecord {
  const keys = images.keys ?? { pk: { S: `USER#${userId}` }, sk: { S: `NOTE#${noteId}` } }
  return {
    eventID: `e${(sequence % 100000n).toString(16)}c4ca4238a0b923820dcc509a6f7584`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1764586800,
      Keys: keys,
      ...(images.NewImage ? { NewImage: images.NewImage } : {}),
      ...(images.OldImage ? { OldImage: images.OldImage } : {}),
      SequenceNumber: String(++sequence),
      SizeBytes: 412,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/notes-test/stream/2026-12-01T00:00:00.000',
    ...extra,
  } as StreamRecord
}

const ttl = { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } }

const kinds: [string, () => StreamRecord, { type: string; oldVersion: number | null; newVersion: number | null }][] = [
  [
    'a new note (INSERT)',
    () => streamRecord('INSERT', { NewImage: noteImage(1, 'live') }),
    { type: 'note.created', oldVersion: null, newVersion: 1 },
  ],
  [
    'an edit (MODIFY, live to live)',
    () => streamRecord('MODIFY', { OldImage: noteImage(1, 'live'), NewImage: noteImage(2, 'live') }),
    { type: 'note.updated', oldVersion: 1, newVersion: 2 },
  ],
  [
    'a delete to the trash (MODIFY, live to trash)',
    () => streamRecord('MODIFY', { OldImage: noteImage(2, 'live'), NewImage: noteImage(3, 'trash') }),
    { type: 'note.trashed', oldVersion: 2, newVersion: 3 },
  ],
  [
    'a restore (MODIFY, trash to live)',
    () => streamRecord('MODIFY', { OldImage: noteImage(3, 'trash'), NewImage: noteImage(4, 'live') }),
    { type: 'note.restored', oldVersion: 3, newVersion: 4 },
  ],
  [
    'a TTL expiry (REMOVE by dynamodb.amazonaws.com)',
    () => streamRecord('REMOVE', { OldImage: noteImage(3, 'trash') }, ttl),
    { type: 'note.purged', oldVersion: 3, newVersion: null },
  ],
  [
    'a delete by someone else (REMOVE, no service identity)',
    () => streamRecord('REMOVE', { OldImage: noteImage(5, 'live') }),
    { type: 'note.deleted', oldVersion: 5, newVersion: null },
  ],
]

describe.each(kinds)('A stream record of %s', (_name, makeRecord, expected) => {
  it('publishes exactly one message with its type, ids and versions, and no note text', async () => {
    const record = makeRecord()

    const result = await handler({ Records: [record] })

    expect(result).toEqual({ batchItemFailures: [] })
    const calls = sns.commandCalls(PublishCommand)
    expect(calls).toHaveLength(1)
    const input = calls[0].args[0].input
    expect(input.TopicArn).toBe(topicArn)
    expect(input.MessageAttributes).toEqual({ eventType: { DataType: 'String', StringValue: expected.type } })
    expect(JSON.parse(input.Message!)).toEqual({
      ...expected,
      noteId,
      userId,
      occurredAt: '2025-12-01T11:00:00.000Z',
      eventId: record.eventID,
    })
    for (const text of Object.values(secretText)) expect(input.Message).not.toContain(text)
  })
})

describe('A batch of stream records', () => {
  it('skips user items (EMAIL#...) and publishes nothing for them', async () => {
    const user = { pk: { S: 'EMAIL#someone@example.com' }, sk: { S: 'USER' } }
    const userRecord = streamRecord('INSERT', { keys: user, NewImage: { ...user, passwordHash: { S: 'scrypt$...' } } })

    const result = await handler({ Records: [userRecord] })

    expect(result).toEqual({ batchItemFailures: [] })
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0)
  })

  it('publishes one message per note change, in stream order', async () => {
    const records = kinds.map(([, make]) => make())

    await handler({ Records: records })

    const types = sns.commandCalls(PublishCommand).map((call) => JSON.parse(call.args[0].input.Message!).type)
    expect(types).toEqual(kinds.map(([, , expected]) => expected.type))
  })

  it('reports the record whose publish failed and stops there, so the stream retries from it in order', async () => {
    const [first, second, third] = [kinds[0][1](), kinds[1][1](), kinds[2][1]()]
    sns
      .on(PublishCommand)
      .resolvesOnce({ MessageId: 'm-1' })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }))

    const result = await handler({ Records: [first, second, third] })

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: second.dynamodb.SequenceNumber }] })
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2)
    expect(logs.find((l) => l.level === 'error')).toMatchObject({ sequenceNumber: second.dynamodb.SequenceNumber, eventId: second.eventID })
  })
})

describe('changes.ts (the Lambda entry)', () => {
  /** Imports changes.ts afresh under `env`, as a new container would, with that copy's SNS client mocked. */
  function importEntry(env: Record<string, string>) {
    return coldStart(env, () => {
      const isolated = require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns')
      const mock = mockClient(isolated.SNSClient).on(isolated.PublishCommand).resolves({ MessageId: 'm-2' })
      return {
        entry: require('../changes') as typeof import('../changes'),
        published: () => mock.commandCalls(isolated.PublishCommand).map((call) => call.args[0].input.TopicArn),
      }
    })
  }

  it('publishes to the topic named by CHANGES_TOPIC_ARN', async () => {
    const arn = 'arn:aws:sns:eu-west-1:123456789012:notes-prod-changes'
    const { entry, published } = importEntry({ CHANGES_TOPIC_ARN: arn, AWS_REGION: 'eu-west-1' })
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)

    const result = await entry.handler({ Records: [kinds[0][1]()] })

    write.mockRestore()
    expect(result).toEqual({ batchItemFailures: [] })
    expect(published()).toEqual([arn])
  })

  it('fails the cold start, naming the variable, without CHANGES_TOPIC_ARN', () => {
    expect(() => importEntry({ CHANGES_TOPIC_ARN: '' })).toThrow('CHANGES_TOPIC_ARN must be set')
  })
})
