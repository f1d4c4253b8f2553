import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { documentCommands } from '../db/client'
import { isConditionFailure, rethrowUnavailable } from '../db/errors'
import { HttpError } from '../errors'

/**
 * An account: a person who can sign in with a password. Accounts registered here and accounts
 * imported from an existing app's user table (scripts/import-users.ts) are one kind, in one
 * namespace: `ACCOUNT#<login>`, where the login is an email or, for some imported accounts, a
 * username, always trimmed and lower-cased (an `@` tells them apart, so they never collide).
 */
export interface Account {
  /** The user id: the token's `sub`, what the account's data is keyed by (imported accounts keep theirs). */
  id: string
  login: string
  /** The login when it is an email; null for a username. */
  email: string | null
  /** A display name, when the imported table had one. */
  name?: string
  /** This app's scrypt, or an imported hash until the first sign-in replaces it (imported-hashes.ts). */
  passwordHash: string
  createdAt: string
}

export interface AccountsRepository {
  /** Stores a new account; 409 when the login is taken, decided by DynamoDB, not by a read before. */
  create(account: Account): Promise<void>
  /** Stores an imported account unless its login is taken; false when it was. */
  import(account: Account): Promise<boolean>
  find(login: string): Promise<Account | undefined>
  /** Replaces the password hash, only if it is still `currentHash`; false when it changed meanwhile. */
  replaceHash(login: string, currentHash: string, newHash: string): Promise<boolean>
  /**
   * A decoy hash as costly to check as the costliest imported one, which sets the pace of every
   * password check (see sign-in-door.ts); undefined when no account was imported.
   */
  paceSetter(): Promise<string | undefined>
  setPaceSetter(decoyHash: string): Promise<void>
}

export const accountPrefix = 'ACCOUNT#'
const keyIsNew = 'attribute_not_exists(pk)'
const hashIsUnchanged = 'passwordHash = :current'

/** The one form of a login that keys an account and counts its failed sign-ins. */
export function normaliseLogin(login: string): string {
  return login.trim().toLowerCase()
}

/**
 * Accounts keyed by their normalised login, one item each (`ACCOUNT#<login>`, `ACCOUNT`), so a
 * single conditional put both claims the login and stores the account: nothing half-written to undo.
 */
export function createAccountsRepository(deps: { db: DynamoDBDocumentClient; tableName: string }): AccountsRepository {
  const { db, tableName } = deps
  const key = (login: string) => ({ pk: `${accountPrefix}${normaliseLogin(login)}`, sk: 'ACCOUNT' })
  const paceKey = { pk: 'SETTING#password-pace', sk: 'SETTING' }

  async function put(account: Account): Promise<boolean> {
    const { PutCommand } = documentCommands() // loaded on first use, as the client is (see db/client.ts)
    const login = normaliseLogin(account.login)
    try {
      await db.send(new PutCommand({ TableName: tableName, Item: { ...key(login), ...account, login }, ConditionExpression: keyIsNew }))
      return true
    } catch (err) {
      if (isConditionFailure(err)) return false
      rethrowUnavailable(err)
    }
  }

  return {
    async create(account) {
      if (!(await put(account))) throw new HttpError(409, 'Conflict', { detail: 'This email is already registered' })
    },

    import: put,

    async find(login) {
      const { GetCommand } = documentCommands()
      const { Item } = await db
        .send(new GetCommand({ TableName: tableName, Key: key(login), ConsistentRead: true }))
        .catch(rethrowUnavailable)
      if (!Item) return undefined
      return {
        id: String(Item.id),
        login: String(Item.login),
        email: typeof Item.email === 'string' ? Item.email : null,
        ...(typeof Item.name === 'string' ? { name: Item.name } : {}),
        passwordHash: String(Item.passwordHash),
        createdAt: String(Item.createdAt),
      }
    },

    async replaceHash(login, currentHash, newHash) {
      const { UpdateCommand } = documentCommands()
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(login),
            UpdateExpression: 'SET passwordHash = :new',
            ConditionExpression: hashIsUnchanged,
            ExpressionAttributeValues: { ':current': currentHash, ':new': newHash },
          }),
        )
        return true
      } catch (err) {
        if (isConditionFailure(err)) return false
        rethrowUnavailable(err)
      }
    },

    async paceSetter() {
      const { GetCommand } = documentCommands()
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: paceKey })).catch(rethrowUnavailable)
      return typeof Item?.decoyHash === 'string' ? Item.decoyHash : undefined
    },

    async setPaceSetter(decoyHash) {
      const { PutCommand } = documentCommands()
      await db.send(new PutCommand({ TableName: tableName, Item: { ...paceKey, decoyHash } })).catch(rethrowUnavailable)
    },
  }
}
