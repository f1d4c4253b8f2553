import { createHmac, timingSafeEqual } from 'node:crypto'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { documentCommands } from '../db/client'
import { rethrowUnavailable } from '../db/errors'
import { asSealed, type SessionStore } from './session'

/**
 * Sessions in the table, for sessions larger than a cookie: one item each (`SESSION#<id>`,
 * `SESSION`), removed by DynamoDB's TTL on `expiresAt` and ignored once past it (TTL deletes lazily).
 * The cookie holds only the id and its HMAC under the session key, so an id cannot be guessed or
 * forged into someone else's session.
 */
export function tableSessions(deps: { db: DynamoDBDocumentClient; tableName: string; key: Uint8Array; clock: () => Date }): SessionStore {
  const { db, tableName, key, clock } = deps
  const sign = (id: string) => createHmac('sha256', key).update(`session:${id}`).digest('base64url')
  const idOf = (value: string) => {
    const [id, mac] = value.split('.')
    if (!id || !mac) return undefined
    const expected = Buffer.from(sign(id))
    const given = Buffer.from(mac)
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined
  }
  const itemKey = (id: string) => ({ pk: `SESSION#${id}`, sk: 'SESSION' })
  const now = () => Math.floor(clock().getTime() / 1000)

  return {
    async open(value) {
      const id = idOf(value)
      if (!id) return undefined
      const { GetCommand } = documentCommands()
      const { Item } = await db
        .send(new GetCommand({ TableName: tableName, Key: itemKey(id), ConsistentRead: true }))
        .catch(rethrowUnavailable)
      if (!Item || typeof Item.expiresAt !== 'number' || Item.expiresAt <= now()) return undefined
      return asSealed({ id, uid: (Item.uid as unknown) ?? null, data: Item.data as unknown })
    },
    async seal(session, maxAgeSeconds) {
      const { PutCommand } = documentCommands()
      const item = { ...itemKey(session.id), uid: session.uid, data: session.data, expiresAt: now() + maxAgeSeconds }
      await db.send(new PutCommand({ TableName: tableName, Item: item })).catch(rethrowUnavailable)
      return `${session.id}.${sign(session.id)}`
    },
    async discard(value) {
      const id = idOf(value)
      if (!id) return
      // Expired now: never read again, and TTL removes it (the app's SDK module names no DeleteCommand).
      const { PutCommand } = documentCommands()
      await db.send(new PutCommand({ TableName: tableName, Item: { ...itemKey(id), expiresAt: 0 } })).catch(rethrowUnavailable)
    },
  }
}
