import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { documentCommands } from '../db/client'
import { rethrowUnavailable } from '../db/errors'
import { HttpError } from '../errors'

export interface LoginThrottle {
  /**
   * Counts a login attempt for the email and the client address, before the password is checked.
   * Throws 429 with Retry-After when either is over its limit in the current window.
   */
  attempt(email: string, address: string | undefined): Promise<void>
  /** The attempt signed in: the email's count starts again, and the address's stops counting it. */
  succeeded(email: string, address: string | undefined): Promise<void>
  /** The email's failed logins are forgotten (a password reset): its count starts again. */
  clear(email: string): Promise<void>
}

export interface LoginThrottleDeps {
  db: DynamoDBDocumentClient
  tableName: string
  clock: () => Date
  perEmail: number
  perAddress: number
}

/** Limits count per fixed 15-minute window; a window's counter is deleted by TTL a minute after it ends. */
export const windowMs = 15 * 60 * 1000

/**
 * Login throttling on counters in the table: `pk` `LOGIN#EMAIL#<email>` or `LOGIN#ADDRESS#<address>`,
 * `sk` `WINDOW#<window start, ISO-8601>`, a number `attempts` raised by an atomic `ADD`, and
 * `expiresAt` for TTL. Every attempt is counted before the password is checked, so concurrent
 * guesses cannot slip past the limit, and the count never depends on whether the account exists.
 * A window that is over its limit answers 429 until it ends, never longer: nothing accumulates
 * across windows, so nobody can lock an account for good (see docs/AUTH.md).
 */
export function createLoginThrottle(deps: LoginThrottleDeps): LoginThrottle {
  const { db, tableName, clock, perEmail, perAddress } = deps

  const windowOf = (now: Date) => {
    const start = Math.floor(now.getTime() / windowMs) * windowMs
    return { start, end: start + windowMs }
  }
  const key = (kind: 'EMAIL' | 'ADDRESS', subject: string, start: number) => ({
    pk: `LOGIN#${kind}#${subject}`,
    sk: `WINDOW#${new Date(start).toISOString()}`,
  })

  async function add(kind: 'EMAIL' | 'ADDRESS', subject: string, by: number, now: Date): Promise<number> {
    const { start, end } = windowOf(now)
    const { UpdateCommand } = documentCommands()
    const { Attributes } = await db
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(kind, subject, start),
          UpdateExpression: 'ADD attempts :by SET expiresAt = :expiresAt',
          ExpressionAttributeValues: { ':by': by, ':expiresAt': Math.floor(end / 1000) + 60 },
          ReturnValues: 'UPDATED_NEW',
        }),
      )
      .catch(rethrowUnavailable)
    return Number(Attributes?.attempts ?? 0)
  }

  return {
    async attempt(email, address) {
      const now = clock()
      const [byEmail, byAddress] = await Promise.all([
        add('EMAIL', email, 1, now),
        address === undefined ? Promise.resolve(0) : add('ADDRESS', address, 1, now),
      ])
      if (byEmail > perEmail || byAddress > perAddress) {
        const retryAfter = Math.max(1, Math.ceil((windowOf(now).end - now.getTime()) / 1000))
        const minutes = Math.ceil(retryAfter / 60)
        throw new HttpError(429, 'Too Many Requests', {
          detail: `Too many failed sign-ins; try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`,
          headers: { 'Retry-After': String(retryAfter) },
        })
      }
    },

    async succeeded(email, address) {
      const now = clock()
      const { start, end } = windowOf(now)
      const { UpdateCommand } = documentCommands()
      await Promise.all([
        db
          .send(
            new UpdateCommand({
              TableName: tableName,
              Key: key('EMAIL', email, start),
              UpdateExpression: 'SET attempts = :zero, expiresAt = :expiresAt',
              ExpressionAttributeValues: { ':zero': 0, ':expiresAt': Math.floor(end / 1000) + 60 },
            }),
          )
          .catch(rethrowUnavailable),
        address === undefined ? undefined : add('ADDRESS', address, -1, now),
      ])
    },

    async clear(email) {
      const { start, end } = windowOf(clock())
      const { UpdateCommand } = documentCommands()
      await db
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: key('EMAIL', email, start),
            UpdateExpression: 'SET attempts = :zero, expiresAt = :expiresAt',
            ExpressionAttributeValues: { ':zero': 0, ':expiresAt': Math.floor(end / 1000) + 60 },
          }),
        )
        .catch(rethrowUnavailable)
    },
  }
}
