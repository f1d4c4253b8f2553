import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { documentCommands } from '../db/client'
import { rethrowUnavailable } from '../db/errors'
import { HttpError } from '../errors'

/** Reset requests allowed per fixed 15-minute window: a few for one email (a mailbox is not to be flooded), more for one client address. */
export const resetRequestLimits = { perEmail: 3, perAddress: 20, windowMs: 15 * 60 * 1000 }

/**
 * Counts a password-reset request for the email and the client address, before anything is looked
 * up, and throws 429 with Retry-After when either is over its limit. Counters live in the table
 * (`pk` `PASSWORD_RESET_REQUESTS#EMAIL#<email>` or `...#ADDRESS#<address>`, `sk` `WINDOW#<start>`,
 * an atomic `ADD`, TTL a minute after the window) and count every email alike, registered or not,
 * so a 429 says nothing about which emails have accounts.
 */
export function resetRequestLimit(deps: { db: DynamoDBDocumentClient; tableName: string; clock: () => Date }) {
  const { db, tableName, clock } = deps
  const { perEmail, perAddress, windowMs } = resetRequestLimits

  async function count(kind: 'EMAIL' | 'ADDRESS', subject: string, start: number): Promise<number> {
    const { UpdateCommand } = documentCommands()
    const { Attributes } = await db
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: `PASSWORD_RESET_REQUESTS#${kind}#${subject}`, sk: `WINDOW#${new Date(start).toISOString()}` },
          UpdateExpression: 'ADD requests :one SET expiresAt = :expiresAt',
          ExpressionAttributeValues: { ':one': 1, ':expiresAt': Math.floor((start + windowMs) / 1000) + 60 },
          ReturnValues: 'UPDATED_NEW',
        }),
      )
      .catch(rethrowUnavailable)
    return Number(Attributes?.requests ?? 0)
  }

  return async function countRequest(email: string, address: string | undefined): Promise<void> {
    const now = clock().getTime()
    const start = Math.floor(now / windowMs) * windowMs
    const [byEmail, byAddress] = await Promise.all([
      count('EMAIL', email, start),
      address === undefined ? 0 : count('ADDRESS', address, start),
    ])
    if (byEmail <= perEmail && byAddress <= perAddress) return
    const retryAfter = Math.max(1, Math.ceil((start + windowMs - now) / 1000))
    const minutes = Math.ceil(retryAfter / 60)
    throw new HttpError(429, 'Too Many Requests', {
      detail: `Too many password-reset requests; try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`,
      headers: { 'Retry-After': String(retryAfter) },
    })
  }
}
