import { QueryCommand } from '@aws-sdk/lib-dynamodb'
import { marshall } from '@aws-sdk/util-dynamodb'
import request from 'supertest'
import type { AttributeValue, StreamRecord } from '../../app/changes/events'
import { createChangesHandler } from '../../app/changes/handler'
import { createLogger } from '../../app/logger'
import { createNote, createTestApp, registerUser, type TestApp } from '../helpers/app'

/**
 * Sign-ins live in the same partition as the user's notes (`USER#<id>`, `SIGNIN#<sid>`) and throttle
 * counters beside them (`THROTTLE#...`): neither may ever show up as a note, in a listing, the trash,
 * the export, or the `changes` function's messages.
 */
let t: TestApp
beforeAll(async () => void (t = await createTestApp()))
afterAll(() => t.close())

async function userWithSessionsAndNotes() {
  const user = await registerUser(t.app)
  await request(t.app).post('/auth/login').send({ email: user.email, password: 'correct horse battery' })
  await request(t.app).post('/auth/login').send({ email: user.email, password: 'wrong password' })
  const kept = await createNote(t.app, user.auth, { title: 'kept' })
  const trashed = await createNote(t.app, user.auth, { title: 'trashed' })
  await request(t.app).delete(`/api/notes/${trashed.id}`).set(user.auth)
  return { user, kept, trashed }
}

async function partition(userId: string) {
  const { Items = [] } = await t.db.send(
    new QueryCommand({
      TableName: t.config.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `USER#${userId}` },
    }),
  )
  return Items
}

it('the user partition really holds the sign-in items next to the notes', async () => {
  const { user } = await userWithSessionsAndNotes()

  const kinds = (await partition(user.id)).map((item) => String(item.sk).split('#')[0]).sort()

  expect(kinds).toEqual(['NOTE', 'NOTE', 'SIGNIN', 'SIGNIN'])
})

it('listings, the trash and the export show notes only', async () => {
  const { user, kept, trashed } = await userWithSessionsAndNotes()

  const live = await request(t.app).get('/api/notes').set(user.auth)
  const trash = await request(t.app).get('/api/trash').set(user.auth)
  const exported = await request(t.app).get('/api/notes/export').set(user.auth)

  expect(live.body.items.map((n: { id: string }) => n.id)).toEqual([kept.id])
  expect(trash.body.items.map((n: { id: string }) => n.id)).toEqual([trashed.id])
  expect(exported.body.items.map((n: { id: string }) => n.id)).toEqual([kept.id])
})

it('the changes function publishes nothing for sign-in or throttle-counter items, inserted, renewed or expired', async () => {
  const { user } = await userWithSessionsAndNotes()
  const signIn = (await partition(user.id)).find((item) => String(item.sk).startsWith('SIGNIN#'))!
  const counter = { pk: `THROTTLE#SIGN_IN#LOGIN#${user.email}`, sk: 'WINDOW#2026-12-02T09:00:00.000Z', attempts: 1, expiresAt: 1764666060 }
  const image = (item: Record<string, unknown>) => marshall(item) as Record<string, AttributeValue>
  let sequence = 0
  const record = (eventName: StreamRecord['eventName'], item: Record<string, unknown>): StreamRecord => ({
    eventID: `e-${++sequence}`,
    eventName,
    dynamodb: {
      Keys: image({ pk: item.pk, sk: item.sk }),
      ...(eventName === 'REMOVE' ? {} : { NewImage: image(item) }),
      ...(eventName === 'INSERT' ? {} : { OldImage: image(item) }),
      SequenceNumber: String(1000 + sequence),
    },
    ...(eventName === 'REMOVE' ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
  })
  const published: unknown[] = []
  const changes = createChangesHandler({
    publish: (change) => Promise.resolve(void published.push(change)),
    logger: createLogger({ write: () => undefined }),
  })

  const result = await changes({
    Records: [signIn, counter].flatMap((item) => [record('INSERT', item), record('MODIFY', item), record('REMOVE', item)]),
  })

  expect(result).toEqual({ batchItemFailures: [] })
  expect(published).toEqual([])
})
