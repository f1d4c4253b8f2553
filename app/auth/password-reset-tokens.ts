import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createHash, randomBytes } from 'node:crypto'
import { documentCommands } from '../db/client'
import { isConditionFailure, rethrowUnavailable } from '../db/errors'

/** How long a reset link works (OWASP's Forgot Password cheat sheet: short-lived). */
export const resetTokenTtlSeconds = 30 * 60

/** What a spent token was issued for: the account, and its password hash at the time. */
export interface ResetGrant {
  userId: string
  email: string
  /** The hash the account had when the link was sent; the new one replaces only that, so a link dies once the password changes. */
  passwordHash: string
}

export interface PasswordResetTokens {
  /** A new single-use token for the account; only its hash is stored. */
  issue(grant: ResetGrant): Promise<string>
  /** Spends a token, once: what it was issued for, or undefined when it is unknown, used or expired. */
  spend(token: string): Promise<ResetGrant | undefined>
}

const prefix = 'PASSWORD_RESET#'
const keyIsNew = 'attribute_not_exists(pk)'
const isUnspent = 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND expiresAt > :nowSeconds'

/** A well-formed token: 256 random bits, base64url. Anything else is not looked up. */
const tokenFormat = /^[\w-]{43}$/

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

/**
 * Password-reset tokens, one item each: `pk` `PASSWORD_RESET#<SHA-256 of the token>`, `sk`
 * `PASSWORD_RESET`, with the account (`userId`, `email`, `passwordHash`) and `expiresAt` (epoch
 * seconds), so DynamoDB's TTL deletes it. The token itself is only ever in the email: a leaked table
 * resets nothing. Spending is one conditional UpdateItem that sets `usedAt`: of two uses of one link,
 * exactly one wins, and an expired item still waiting for TTL counts as gone.
 */
export function createPasswordResetTokens(deps: { db: DynamoDBDocumentClient; tableName: string; clock: () => Date }): PasswordResetTokens {
  const { db, tableName, clock } = deps
  const key = (hash: string) => ({ pk: `${prefix}${hash}`, sk: 'PASSWORD_RESET' })
  const seconds = () => Math.floor(clock().getTime() / 1000)

  return {
    async issue(grant) {
      const token = randomBytes(32).toString('base64url')
      const { PutCommand } = documentCommands()
      await db
        .send(
          new PutCommand({
            TableName: tableName,
            Item: { ...key(hashOf(token)), ...grant, createdAt: clock().toISOString(), expiresAt: seconds() + resetTokenTtlSeconds },
            ConditionExpression: keyIsNew,
          }),
        )
        .catch(rethrowUnavailable)
      return token
    },

    async spend(token) {
      if (!tokenFormat.test(token)) return undefined
      const { UpdateCommand } = documentCommands()
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(hashOf(token)),
            UpdateExpression: 'SET usedAt = :now',
            ConditionExpression: isUnspent,
            ExpressionAttributeValues: { ':now': clock().toISOString(), ':nowSeconds': seconds() },
            ReturnValues: 'ALL_NEW',
          }),
        )
        const item = Attributes as (ResetGrant & Record<string, unknown>) | undefined
        return item && { userId: item.userId, email: item.email, passwordHash: item.passwordHash }
      } catch (err) {
        if (isConditionFailure(err)) return undefined
        return rethrowUnavailable(err)
      }
    },
  }
}
