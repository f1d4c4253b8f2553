import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { documentCommands, queryAll } from '../db/client'
import { isConditionFailure, rethrowUnavailable } from '../db/errors'
import { HttpError } from '../errors'

/** A sign-in as `GET /auth/sessions` shows it. */
export interface SignInView {
  id: string
  createdAt: string
  lastUsedAt: string
  userAgent: string | null
}

/** Who a sign-in belongs to: the user id, the login the password was entered for, and the email when the account has one. */
export interface SignInUser {
  id: string
  login: string
  email: string | null
}

/** What a new or renewed sign-in gives the caller: the refresh token (the cookie's value) and who it names. */
export interface Renewal {
  sid: string
  user: SignInUser
  /** The refresh token to set as the cookie; shown once, stored only as its SHA-256 hash. */
  refreshToken: string
  /** How long the cookie may live: until the sign-in idles out or reaches its maximum age, whichever comes first. */
  maxAgeSeconds: number
}

export interface SignInsRepository {
  /** Starts a sign-in (register, a password entered at any door) with a fresh refresh token. */
  start(user: SignInUser, userAgent: string | undefined): Promise<Renewal>
  /**
   * Spends a refresh token and returns its successor. Throws 401 when the token is unknown, expired, idle
   * too long, past the sign-in's maximum age or revoked; a token spent more than {@link renewalGraceSeconds}
   * ago revokes the whole sign-in before the 401 (RFC 9700 section 4.14.2); one spent within them is a
   * {@link RenewalRaced} 401 that revokes nothing.
   */
  rotate(refreshToken: string, userAgent: string | undefined): Promise<Renewal>
  /** Revokes the sign-in a refresh token (current or spent) belongs to; does nothing for an unknown one. */
  end(refreshToken: string): Promise<void>
  /** The sign-in's owner, while it is live. */
  get(userId: string, sid: string): Promise<SignInUser | undefined>
  /** The user's live sign-ins, most recently used first. */
  list(userId: string): Promise<SignInView[]>
  /** Revokes one sign-in of the user; false when there is no live one with that id. */
  revoke(userId: string, sid: string): Promise<boolean>
  /** Revokes every live sign-in of the user except `keep` (every one when `keep` is undefined). */
  revokeAllExcept(userId: string, keep: string | undefined): Promise<void>
  /** When a mounted app's `req.session` was last saved under this sign-in at `path` (ms), so an older copy restores nothing. */
  lastSessionSave(userId: string, sid: string, path: string): Promise<number | undefined>
  recordSessionSave(userId: string, sid: string, path: string, savedAt: number): Promise<void>
}

export interface SignInsRepositoryDeps {
  db: DynamoDBDocumentClient
  tableName: string
  clock: () => Date
  /** The idle limit: a sign-in not renewed for this long has ended. Every renewal starts it again. */
  idleSeconds: number
  /** The absolute limit from the password entry, whatever the renewals (OWASP ASVS 3.3.2). */
  maxAgeSeconds: number
}

/** A sign-in's item in the table. */
interface SignInItem {
  pk: string
  sk: string
  sid: string
  userId: string
  login: string
  email: string | null
  tokenHash: string
  /** Spent token hashes, newest first, and when each was spent (epoch ms), in the same order. */
  spentHashes: string[]
  spentAt: number[]
  /** When the password was entered. */
  createdAt: string
  lastUsedAt: string
  userAgent: string | null
  /** The absolute end (epoch seconds). */
  endsAt: number
  /** TTL (epoch seconds): the idle end or the absolute one, whichever is first. */
  expiresAt: number
  revokedAt?: string
  /** Per mount path, when its `req.session` was last saved (epoch ms). */
  sessionSaves?: Record<string, number>
}

/** Spent hashes kept per sign-in to recognise a replay: at one renewal per 15 minutes, a day's worth. */
const spentHashesKept = 100
const userAgentMaxLength = 256
export const signInPrefix = 'SIGNIN#'

/**
 * A spent token presented again within this many seconds of its renewal is taken for the same browser
 * racing itself (a double click, the SPA renewing while a page navigation renews through
 * `GET /auth/page`), not for a thief: a 401 that revokes nothing. Later, it is a replay.
 */
export const renewalGraceSeconds = 10

// Conditions, named.
const keyIsNew = 'attribute_not_exists(pk)'
const presentedIsCurrent = 'tokenHash = :presented AND attribute_not_exists(revokedAt)'
const isLive = 'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND expiresAt > :nowSeconds'
const holdsPresented = 'attribute_exists(pk) AND (tokenHash = :presented OR contains(spentHashes, :presented))'

/**
 * A refresh token is `<user id, base64url>.<sign-in id>.<secret>`: the first two find the record,
 * whatever the user id looks like (imported accounts keep theirs, `u-1001`), and the secret (256
 * random bits) proves the holder. Only its SHA-256 is stored, so a leaked table renews nothing.
 */
const tokenFormat = /^([\w-]{1,344})\.([0-9a-f-]{36})\.([\w-]{43})$/

interface ParsedToken {
  userId: string
  sid: string
  hash: string
}

function parseToken(refreshToken: string): ParsedToken | undefined {
  const match = tokenFormat.exec(refreshToken)
  if (!match) return undefined
  const userId = Buffer.from(match[1], 'base64url').toString('utf8')
  if (userId === '' || Buffer.from(userId).toString('base64url') !== match[1]) return undefined
  return { userId, sid: match[2], hash: hashOf(match[3]) }
}

function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url')
}

function newSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url')
  return { secret, hash: hashOf(secret) }
}

/** The 401 for a refresh token that cannot renew, with the reason kept for the log. */
export function signInEnded(reason: string): HttpError {
  return new HttpError(401, 'Unauthorized', { detail: 'This sign-in has ended; sign in again', cause: new Error(reason) })
}

/**
 * The 401 for a refresh token that another request renewed a moment ago: nothing is revoked, and the
 * browser already holds (or is about to receive) the new cookie, so the caller may retry once.
 */
export class RenewalRaced extends HttpError {
  constructor(reason: string) {
    super(401, 'Unauthorized', {
      detail: 'This sign-in was renewed a moment ago by another request; retry',
      headers: { 'Retry-After': '1' },
      cause: new Error(reason),
    })
  }
}

/**
 * Browser sign-ins (refresh-token families) in the user's partition: `USER#<id>` / `SIGNIN#<sid>`,
 * removed by DynamoDB's TTL once idle past `idleSeconds` or past `maxAgeSeconds` from the password entry.
 * Rotation is one conditional UpdateItem; see docs/AUTH.md.
 */
export function createSignInsRepository(deps: SignInsRepositoryDeps): SignInsRepository {
  const { db, tableName, clock, idleSeconds, maxAgeSeconds } = deps
  const key = (userId: string, sid: string) => ({ pk: `USER#${userId}`, sk: `${signInPrefix}${sid}` })
  const seconds = (date: Date) => Math.floor(date.getTime() / 1000)
  const tokenOf = (userId: string, sid: string, secret: string) => `${Buffer.from(userId).toString('base64url')}.${sid}.${secret}`
  const agent = (userAgent: string | undefined) => userAgent?.slice(0, userAgentMaxLength) || null
  const userOf = (item: SignInItem): SignInUser => ({ id: item.userId, login: item.login, email: item.email ?? null })

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

  async function read(userId: string, sid: string): Promise<SignInItem | undefined> {
    const { GetCommand } = documentCommands()
    const { Item } = await db
      .send(new GetCommand({ TableName: tableName, Key: key(userId, sid), ConsistentRead: true }))
      .catch(rethrowUnavailable)
    return Item as SignInItem | undefined
  }

  const isLiveNow = (item: SignInItem, now: number) => item.revokedAt === undefined && item.expiresAt > now && item.endsAt > now

  async function liveItems(userId: string): Promise<SignInItem[]> {
    const items = await queryAll<SignInItem>(db, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':prefix': signInPrefix },
      ConsistentRead: true,
    })
    const now = seconds(clock())
    return items.filter((item) => isLiveNow(item, now))
  }

  return {
    async start(user, userAgent) {
      const now = clock()
      const sid = randomUUID()
      const { secret, hash } = newSecret()
      const endsAt = seconds(now) + maxAgeSeconds
      const expiresAt = Math.min(seconds(now) + idleSeconds, endsAt)
      const { PutCommand } = documentCommands()
      await db
        .send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...key(user.id, sid),
              sid,
              userId: user.id,
              login: user.login,
              email: user.email,
              tokenHash: hash,
              spentHashes: [],
              spentAt: [],
              createdAt: now.toISOString(),
              lastUsedAt: now.toISOString(),
              userAgent: agent(userAgent),
              endsAt,
              expiresAt,
            } satisfies SignInItem,
            ConditionExpression: keyIsNew,
          }),
        )
        .catch(rethrowUnavailable)
      return { sid, user, refreshToken: tokenOf(user.id, sid, secret), maxAgeSeconds: expiresAt - seconds(now) }
    },

    async rotate(refreshToken, userAgent) {
      const presented = parseToken(refreshToken)
      if (!presented) throw signInEnded('malformed refresh token')
      const { userId, sid, hash } = presented
      const item = await read(userId, sid)
      const now = clock()
      if (!item) throw signInEnded('no such sign-in')
      if (item.revokedAt !== undefined) throw signInEnded('sign-in revoked')
      if (item.endsAt <= seconds(now)) throw signInEnded('sign-in past its maximum age')
      if (item.expiresAt <= seconds(now)) throw signInEnded('sign-in idle too long')
      if (item.tokenHash !== hash) {
        const spent = item.spentHashes.indexOf(hash)
        if (spent === -1) throw signInEnded('unknown refresh token')
        if (now.getTime() - (item.spentAt[spent] ?? 0) <= renewalGraceSeconds * 1000) {
          throw new RenewalRaced(`refresh token spent ${now.getTime() - item.spentAt[spent]} ms ago`)
        }
        // Someone holds a token that was renewed a while ago: the thief or the owner, we cannot tell which.
        await revokeWhere(userId, sid, 'attribute_exists(pk)', {})
        throw signInEnded('spent refresh token presented again: sign-in revoked')
      }

      const next = newSecret()
      const expiresAt = Math.min(seconds(now) + idleSeconds, item.endsAt)
      const { UpdateCommand } = documentCommands()
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(userId, sid),
            UpdateExpression:
              'SET tokenHash = :next, spentHashes = :spent, spentAt = :spentAt, lastUsedAt = :now, userAgent = :agent, expiresAt = :expiresAt',
            ConditionExpression: presentedIsCurrent,
            ExpressionAttributeValues: {
              ':presented': hash,
              ':next': next.hash,
              ':spent': [hash, ...item.spentHashes].slice(0, spentHashesKept),
              ':spentAt': [now.getTime(), ...item.spentAt].slice(0, spentHashesKept),
              ':now': now.toISOString(),
              ':agent': agent(userAgent) ?? item.userAgent,
              ':expiresAt': expiresAt,
            },
          }),
        )
      } catch (err) {
        // Another renewal with this token won the race a moment ago (two tabs, a double click): this one
        // loses with a 401 but revokes nothing, so the winner's new token keeps the sign-in alive.
        if (isConditionFailure(err)) throw new RenewalRaced('refresh token spent by a concurrent renewal')
        rethrowUnavailable(err)
      }
      return { sid, user: userOf(item), refreshToken: tokenOf(userId, sid, next.secret), maxAgeSeconds: expiresAt - seconds(now) }
    },

    async end(refreshToken) {
      const presented = parseToken(refreshToken)
      if (!presented) return
      await revokeWhere(presented.userId, presented.sid, holdsPresented, { ':presented': presented.hash })
    },

    async get(userId, sid) {
      const item = await read(userId, sid)
      return item && isLiveNow(item, seconds(clock())) ? userOf(item) : undefined
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

    async lastSessionSave(userId, sid, path) {
      return (await read(userId, sid))?.sessionSaves?.[path]
    },

    async recordSessionSave(userId, sid, path, savedAt) {
      const { UpdateCommand } = documentCommands()
      const update = (input: { UpdateExpression: string; ConditionExpression: string; values: Record<string, unknown>; named: boolean }) =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(userId, sid),
            UpdateExpression: input.UpdateExpression,
            ConditionExpression: input.ConditionExpression,
            ExpressionAttributeNames: input.named ? { '#path': path } : undefined,
            ExpressionAttributeValues: input.values,
          }),
        )
      try {
        await update({
          UpdateExpression: 'SET sessionSaves.#path = :at',
          ConditionExpression: 'attribute_exists(sessionSaves) AND (attribute_not_exists(sessionSaves.#path) OR sessionSaves.#path < :at)',
          values: { ':at': savedAt },
          named: true,
        })
      } catch (err) {
        if (!isConditionFailure(err)) rethrowUnavailable(err)
        // The sign-in's first save (the map itself is new), unless a later save got there meanwhile.
        await update({
          UpdateExpression: 'SET sessionSaves = :saves',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sessionSaves)',
          values: { ':saves': { [path]: savedAt } },
          named: false,
        }).catch((again: unknown) => (isConditionFailure(again) ? undefined : rethrowUnavailable(again)))
      }
    },
  }
}
