import { createHmac, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { documentCommands } from '../db/client'
import { rethrowUnavailable } from '../db/errors'
import { sessionSeal } from '../deferred'

/** A mounted app's `req.session` as it is stored. */
export interface Sealed {
  id: string
  /** The user the session belongs to, and the sign-in it was written under; both null while anonymous. */
  uid: string | null
  sid: string | null
  /** When it was saved (epoch ms): a copy older than the sign-in's last save restores nothing. */
  savedAt: number
  data: Record<string, unknown>
}

/** Where sessions are kept: a cookie's value opens to a session, a session seals to a cookie's value. */
export interface SessionStore {
  /** The session; undefined when the value was altered, sealed with another key, or expired. */
  open(value: string): Promise<Sealed | undefined>
  seal(session: Sealed, maxAgeSeconds: number): Promise<string>
  /** Forgets the session of a value (destroy, regenerate). */
  discard(value: string): Promise<void>
}

/** The key that seals session cookies, derived from the config's secret: never the secret itself. */
export function sessionKey(secret: KeyObject): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret.export(), 'notes-session', 'session-cookie-v1', 32))
}

/** Sessions sealed in the cookie itself: a JWE (`dir` + `A256GCM`, as iron-session seals its cookie) that expires with the session. */
export function sealedCookies(key: Uint8Array): SessionStore {
  return {
    async open(value) {
      try {
        const { payload } = await sessionSeal().jwtDecrypt(value, key, {
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
        })
        return asSealed(payload)
      } catch {
        return undefined
      }
    },
    seal: (session, maxAgeSeconds) =>
      new (sessionSeal().EncryptJWT)({ ...session })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuedAt()
        .setExpirationTime(`${maxAgeSeconds}s`)
        .encrypt(key),
    discard: () => Promise.resolve(),
  }
}

export const appSessionPrefix = 'APP_SESSION#'

/**
 * Sessions in the table, for sessions larger than a cookie: one item each (`APP_SESSION#<id>`,
 * `APP_SESSION`), removed by DynamoDB's TTL on `expiresAt` and ignored once past it (TTL deletes lazily).
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
  const itemKey = (id: string) => ({ pk: `${appSessionPrefix}${id}`, sk: 'APP_SESSION' })
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
      const { uid = null, sid = null, savedAt, data } = Item as Partial<Sealed>
      return asSealed({ id, uid, sid, savedAt, data })
    },
    async seal(session, maxAgeSeconds) {
      const { PutCommand } = documentCommands()
      const item = { ...itemKey(session.id), ...session, expiresAt: now() + maxAgeSeconds }
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

/** A session read back from storage, checked field by field. */
export function asSealed(value: unknown): Sealed | undefined {
  const { id, uid, sid, savedAt, data } = (value ?? {}) as Partial<Sealed>
  if (typeof id !== 'string' || (uid !== null && typeof uid !== 'string') || (sid !== null && typeof sid !== 'string')) return undefined
  if (typeof savedAt !== 'number' || !data || typeof data !== 'object') return undefined
  return { id, uid, sid, savedAt, data }
}
