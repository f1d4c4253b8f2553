import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { documentCommands } from '../db/client'
import { isConditionFailure, rethrowUnavailable } from '../db/errors'
import { HttpError } from '../errors'

export interface UserRecord {
  id: string
  email: string
  passwordHash: string
  createdAt: string
}

export interface UsersRepository {
  /** Stores a new user; 409 when the email is taken, decided by DynamoDB, not by a read before. */
  create(user: UserRecord): Promise<void>
  findByEmail(email: string): Promise<UserRecord | undefined>
  /** Replaces the password hash, only if it is still `currentHash`; 409 when it changed meanwhile. */
  changePassword(email: string, currentHash: string, newHash: string): Promise<void>
}

const keyIsNew = 'attribute_not_exists(pk)'
const hashIsUnchanged = 'passwordHash = :current'

/**
 * Users are keyed by their lower-cased email, one item each (`EMAIL#<email>`, `USER`), so a single
 * conditional put both claims the email and stores the user: there is nothing half-written to undo.
 */
export function createUsersRepository(deps: { db: DynamoDBDocumentClient; tableName: string }): UsersRepository {
  const { db, tableName } = deps
  const key = (email: string) => ({ pk: `EMAIL#${email}`, sk: 'USER' })

  return {
    async create(user) {
      const { PutCommand } = documentCommands() // loaded on first use, as the client is (see db/client.ts)
      try {
        await db.send(new PutCommand({ TableName: tableName, Item: { ...key(user.email), ...user }, ConditionExpression: keyIsNew }))
      } catch (err) {
        if (isConditionFailure(err)) throw new HttpError(409, 'Conflict', { detail: 'This email is already registered' })
        rethrowUnavailable(err)
      }
    },

    async findByEmail(email) {
      const { GetCommand } = documentCommands()
      const { Item } = (await db
        .send(new GetCommand({ TableName: tableName, Key: key(email), ConsistentRead: true }))
        .catch(rethrowUnavailable)) as { Item?: UserRecord }
      if (!Item) return undefined
      return { id: Item.id, email: Item.email, passwordHash: Item.passwordHash, createdAt: Item.createdAt }
    },

    async changePassword(email, currentHash, newHash) {
      const { UpdateCommand } = documentCommands()
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(email),
            UpdateExpression: 'SET passwordHash = :new',
            ConditionExpression: hashIsUnchanged,
            ExpressionAttributeValues: { ':current': currentHash, ':new': newHash },
          }),
        )
      } catch (err) {
        if (isConditionFailure(err)) throw new HttpError(409, 'Conflict', { detail: 'The password was changed meanwhile; try again' })
        rethrowUnavailable(err)
      }
    },
  }
}
