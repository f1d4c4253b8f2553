import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { documentCommands, queryAll } from '../db/client'
import { isConditionFailure, rethrowUnavailable } from '../db/errors'
import { HttpError } from '../errors'

/** A sign-in as `GET /auth/sessions` shows it. */
export interface SessionView {
  id: string
  createdAt: string
  lastUsedAt: string
  userAgent: string | null
}

/** What a new or renewed sign-in gives the caller: the refresh token (the cookie's value) and who it names. */
export interface Renewal {
  sid: string
  user: { id: string; email: string }
  /** The refresh token to set as the cookie; shown once, stored only as its SHA-256 hash. */
  refreshToken: string
}

export interface SessionsRepository {
  /** Starts a sign-in (register, login) with a fresh refresh token. */
  start(user: { id: string; email: string }, userAgent: string | undefined): Promise<Renewal>
  /**
   * Spends a refresh token and returns its successor. Throws 401 when the token is unknown, expired or revoked;
   * a token that was already spent revokes the whole sign-in before the 401 (RFC 9700 section 4.14.2).
   */
  rotate(refreshToken: string, userAgent: string | undefined): Promise<Renewal>
  /** Revokes the sign-in a refresh token (current or spent) belongs to; does nothing for an unknown one. */
  end(refreshToken: string): Promise<void>
  /** The user's live sign-ins, most recently used first. */
  list(userId: string): Promise<SessionView[]>
  /** Revokes one sign-in of the user; false when there is no live one with that id. */
  revoke(userId: string, sid: string): Promise<boolean>
  /** Revokes every live sign-in of the user except `keep`. */
  revokeAllExcept(userId: string, keep: string | undefined): Promise<void>
}

export interface SessionsRepositoryDeps {
  db: DynamoDBDocumentClient
  tableName: string
  clock: () => Date
  /** Lifetime of a refresh token; every renewal starts it again. */
  refreshTtlSeconds: number
}

/** A sign-in's item in the table. */
interface SessionItem {
  pk: string
  sk: string
  sid: string
  userId: string
  email: string
  tokenHash: string
  spentHashes: string[]
  createdAt: string
  lastUsedAt: string
  userAgent: string | null
  expiresAt: number
  revokedAt?: string
}

/** Spent hashes kept per sign-in to recognise a replay: at one renewal per 15 minutes, a day's worth. */
const spentHashesKept = 100
const userAgentMaxLength = 256
const sessionPrefix = 'SESSION#'

// Conditions, named.
const keyIsNew = 'attribute_not_exists(pk)'
const presentedIsCurrent = 'tokenHash = :presented AND attribute_not_exists(revokedAt)'
const isLive = 'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND expiresAt > :nowSeconds'
const holdsPresented = 'attribute_exists(pk) AND (tokenHash = :presented OR contains(spentHashes, :presented))'

/**
 * A refresh token is `<user id>.<sign-in id>.<secret>`: the first two find the record, the secret
 * (256 random bits) proves the holder. Only its SHA-256 is stored, so a leaked table renews nothing.
 */
const tokenFormat = /^([0-9a-f-]{36})\.([0-9a-f-]{36})\.([\w-]{43})$/

interface ParsedToken {
  userId: string
  sid: string
  hash: string
}

function parseToken(refreshToken: string): ParsedToken | undefined {
  const match = tokenFormat.exec(refreshToken)
  if (!match) return undefined
  return { userId: match[1], sid: match[2], hash: hashOf(match[3]) }
}

function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url')
}

function newSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url')
  return { secret, hash: hashOf(secret) }
}

/** The 401 of every refresh that cannot renew, whatever the reason (kept as the cause, for the log). */
export function signInEnded(reason: string): HttpError {
  return new HttpError(401, 'Unauthorized', {
    detail: 'This sign-in has ended or its refresh cookie is not valid; sign in again',
    headers: { 'WWW-Authenticate': 'Bearer' },
    cause: new Error(reason),
  })
}

/**
 * Browser sign-ins, one item each in the user's partition: `pk` `USER#<user id>`, `sk`
 * `SESSION#<sign-in id>`, holding the hash of the one live refresh token (`tokenHash`), the hashes
 * of the ones it replaced (`spentHashes`, newest first, at most 100) and `expiresAt`, so DynamoDB's
 * TTL deletes a sign-in unused for REFRESH_TTL_SECONDS. Revoking sets `revokedAt`.
 *
 * A renewal is one UpdateItem conditioned on the presented hash still being the current one: of two
 * renewals with the same token, exactly one wins. The GetItem before it only sorts out why a token
 * cannot renew (unknown, expired, revoked, or spent: a replay) and supplies the spent list to extend;
 * the condition makes that read safe, since any other renewal changes `tokenHash`.
 */
export function createSessionsRepository(deps: SessionsRepositoryDeps): SessionsRepository {
  const { db, tableName, clock, refreshTtlSeconds } = deps
  const key = (userId: string, sid: string) => ({ pk: `USER#${userId}`, sk: `${sessionPrefix}${sid}` })
  const seconds = (date: Date) => Math.floor(date.getTime() / 1000)
  const tokenOf = (userId: string, sid: string, secret: string) => `${userId}.${sid}.${secret}`
  const agent = (userAgent: string | undefined) => userAgent?.slice(0, userAgentMaxLength) || null

  async function revokeWhere(userId: string, sid: string, condition: string, values: Record<string, unknown>): Promise<boolean> {
    const { UpdateCommand } = documentCommands()
    try {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(userId, sid),
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
          ConditionExpression: condition,
          ExpressionAttributeValues: { ':now': clock().toISOString(), ...values },
        }),
      )
      return true
    } catch (err) {
      if (isConditionFailure(err)) return false
      rethrowUnavailable(err)
    }
  }

  async function liveItems(userId: string): Promise<SessionItem[]> {
    const items = await queryAll<SessionItem>(db, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':prefix': sessionPrefix },
      ConsistentRead: true,
    })
    const now = seconds(clock())
    return items.filter((item) => item.revokedAt === undefined && item.expiresAt > now)
  }

  return {
    async start(user, userAgent) {
      const now = clock()
      const sid = randomUUID()
      const { secret, hash } = newSecret()
      const { PutCommand } = documentCommands()
      await db
        .send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...key(user.id, sid),
              sid,
              userId: user.id,
              email: user.email,
              tokenHash: hash,
              spentHashes: [],
              createdAt: now.toISOString(),
              lastUsedAt: now.toISOString(),
              userAgent: agent(userAgent),
              expiresAt: seconds(now) + refreshTtlSeconds,
            },
            ConditionExpression: keyIsNew,
          }),
        )
        .catch(rethrowUnavailable)
      return { sid, user: { id: user.id, email: user.email }, refreshToken: tokenOf(user.id, sid, secret) }
    },

    async rotate(refreshToken, userAgent) {
      const presented = parseToken(refreshToken)
      if (!presented) throw signInEnded('malformed refresh token')
      const { userId, sid, hash } = presented
      const { GetCommand, UpdateCommand } = documentCommands()
      const { Item } = (await db
        .send(new GetCommand({ TableName: tableName, Key: key(userId, sid), ConsistentRead: true }))
        .catch(rethrowUnavailable)) as { Item?: SessionItem }
      const now = clock()
      if (!Item) throw signInEnded('no such sign-in')
      if (Item.revokedAt !== undefined) throw signInEnded('sign-in revoked')
      if (Item.expiresAt <= seconds(now)) throw signInEnded('sign-in expired')
      if (Item.tokenHash !== hash) {
        if (Item.spentHashes.includes(hash)) {
          // Someone holds a token that was already renewed: the thief or the owner, we cannot tell which.
          await revokeWhere(userId, sid, 'attribute_exists(pk)', {})
          throw signInEnded('spent refresh token presented again: sign-in revoked')
        }
        throw signInEnded('unknown refresh token')
      }

      const next = newSecret()
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(userId, sid),
            UpdateExpression: 'SET tokenHash = :next, spentHashes = :spent, lastUsedAt = :now, userAgent = :agent, expiresAt = :expiresAt',
            ConditionExpression: presentedIsCurrent,
            ExpressionAttributeValues: {
              ':presented': hash,
              ':next': next.hash,
              ':spent': [hash, ...Item.spentHashes].slice(0, spentHashesKept),
              ':now': now.toISOString(),
              ':agent': agent(userAgent) ?? Item.userAgent,
              ':expiresAt': seconds(now) + refreshTtlSeconds,
            },
          }),
        )
      } catch (err) {
        // Another renewal with this token won the race a moment ago (two tabs, a double click): this one
        // loses with a 401 but revokes nothing, so the winner's new token keeps the sign-in alive.
        if (isConditionFailure(err)) throw signInEnded('refresh token spent by a concurrent renewal')
        rethrowUnavailable(err)
      }
      return { sid, user: { id: userId, email: Item.email }, refreshToken: tokenOf(userId, sid, next.secret) }
    },

    async end(refreshToken) {
      const presented = parseToken(refreshToken)
      if (!presented) return
      await revokeWhere(presented.userId, presented.sid, holdsPresented, { ':presented': presented.hash })
    },

    async list(userId) {
      const items = await liveItems(userId)
      return items
        .map((item) => ({ id: item.sid, createdAt: item.createdAt, lastUsedAt: item.lastUsedAt, userAgent: item.userAgent }))
        .sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt))
    },

    revoke(userId, sid) {
      return revokeWhere(userId, sid, isLive, { ':nowSeconds': seconds(clock()) })
    },

    async revokeAllExcept(userId, keep) {
      const others = (await liveItems(userId)).filter((item) => item.sid !== keep)
      await Promise.all(others.map((item) => revokeWhere(userId, item.sid, 'attribute_exists(pk)', {})))
    },
  }
}
