import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { Request } from 'express'
import { decoyHash, hashPassword } from '../auth/passwords'
import { documentCommands } from '../db/client'
import { isConditionFailure, rethrowUnavailable } from '../db/errors'
import { hashKind, verifyAnyPassword } from './legacy-passwords'

/** A user of an existing app's table, as imported: its own id (so its data stays linked), its login and its hash. */
export interface ImportedUser {
  id: string
  /** An email (signs in here and through `/auth/login`) or a username (signs in through the mounted app's form). */
  login: string
  passwordHash: string
  /** Anything else of the account the app shows (a display name). */
  name?: string
}

export interface SignedInAccount {
  id: string
  email?: string
  name?: string
}

export interface ImportedUsers {
  /** Stores a user unless its login is taken; false when it was. */
  put(user: ImportedUser, createdAt: string): Promise<boolean>
  /** The account when the password matches; rehashes a legacy hash to this app's scrypt on the way. */
  verify(login: string, password: string): Promise<SignedInAccount | undefined>
}

const keyIsNew = 'attribute_not_exists(pk)'

/**
 * Users imported from an existing app (scripts/import-users.ts). An email login is stored as this
 * app's own users are (`EMAIL#<email>`), so `/auth/login` finds it too; a username as
 * `LOGIN#<username>`. Hashes stay as they came (bcrypt, PBKDF2, scrypt) until the first successful
 * sign-in replaces them with this app's scrypt, by one conditional update: lazy migration, as
 * Cognito's user-migration trigger does it, without anyone resetting a password.
 */
export function createImportedUsers(deps: { db: DynamoDBDocumentClient; tableName: string }): ImportedUsers {
  const { db, tableName } = deps
  const key = (login: string) => {
    const normal = login.trim().toLowerCase()
    return { pk: normal.includes('@') ? `EMAIL#${normal}` : `LOGIN#${normal}`, sk: 'USER' }
  }

  return {
    async put(user, createdAt) {
      const { PutCommand } = documentCommands()
      if (!hashKind(user.passwordHash)) throw new Error(`user ${user.login}: a password hash of a kind this app cannot check`)
      const login = user.login.trim().toLowerCase()
      const item = {
        ...key(login),
        id: user.id,
        ...(login.includes('@') ? { email: login } : { username: login }),
        ...(user.name ? { name: user.name } : {}),
        passwordHash: user.passwordHash,
        createdAt,
      }
      try {
        await db.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: keyIsNew }))
        return true
      } catch (err) {
        if (isConditionFailure(err)) return false
        return rethrowUnavailable(err)
      }
    },

    async verify(login, password) {
      const { GetCommand, UpdateCommand } = documentCommands()
      const { Item } = await db
        .send(new GetCommand({ TableName: tableName, Key: key(login), ConsistentRead: true }))
        .catch(rethrowUnavailable)
      const stored = typeof Item?.passwordHash === 'string' ? Item.passwordHash : decoyHash
      // An unknown login is checked against a decoy, so both failures take the same time.
      if (!(await verifyAnyPassword(password, stored)) || !Item) return undefined
      if (hashKind(stored) !== 'own') {
        const rehashed = await hashPassword(password)
        await db
          .send(
            new UpdateCommand({
              TableName: tableName,
              Key: key(login),
              UpdateExpression: 'SET passwordHash = :new',
              ConditionExpression: 'passwordHash = :old',
              ExpressionAttributeValues: { ':new': rehashed, ':old': stored },
            }),
          )
          // Another sign-in rehashed it first: its hash is as good as this one.
          .catch((err: unknown) => (isConditionFailure(err) ? undefined : rethrowUnavailable(err)))
      }
      return {
        id: String(Item.id),
        ...(typeof Item.email === 'string' ? { email: Item.email } : {}),
        ...(typeof Item.name === 'string' ? { name: Item.name } : {}),
      }
    },
  }
}

const accounts = new WeakMap<object, ImportedUsers>()

export function provideImportedUsers(req: Request, users: ImportedUsers): void {
  accounts.set(req, users)
}

/**
 * The password check of a mounted app's own login form, over its imported users (scripts/import-users.ts):
 * the account when `password` matches the user with this username or email, else undefined. The first
 * success replaces a legacy hash with this app's scrypt. Then call signIn(req, res, account).
 * @example const account = await verifyLogin(req, req.body.username, req.body.password)
 */
export async function verifyLogin(req: Request, login: unknown, password: unknown): Promise<SignedInAccount | undefined> {
  const users = accounts.get(req)
  if (!users) throw new Error('verifyLogin(req, …) works in code mounted with mount() (app/existing/mounts.ts), on a request of it')
  if (typeof login !== 'string' || typeof password !== 'string' || !login.trim() || !password) return undefined
  return users.verify(login, password)
}
