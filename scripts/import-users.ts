/**
 * `npm run import-users -- <file>`: imports an existing app's user table into this app's table, so
 * its people sign in with the passwords they have. The file is JSON (an array of objects) or CSV
 * (a header row, then one user a line). Columns, in any case and order:
 *
 * - `id` (optional: a fresh one when missing): the user id the app's data is keyed by; keep it
 * - `email` or `username` (or `login`): what the person types to sign in
 * - `password_hash` (or `passwordHash`, `password`, `hash`): bcrypt, PBKDF2 (Django, Werkzeug) or scrypt
 * - `name` (optional)
 *
 * Hashes are stored as they are and replaced by this app's scrypt on each user's first sign-in
 * (app/auth/sign-in-door.ts); a hash whose cost is over its cap (app/auth/imported-hashes.ts) is
 * refused, naming the row. The costliest hash imported sets the pace of every password check, so that
 * imported, own and unknown logins answer alike (docs/AUTH.md). A login already taken is skipped, so
 * running it twice is safe.
 * The table is the one the app uses: TABLE_NAME and DYNAMODB_ENDPOINT, or in dev (stop `npm run dev`
 * first) the embedded one under .data/.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { loadConfig } from '../app/config'
import { createDocumentClient } from '../app/db/client'
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../app/db/embedded'
import { ensureTable } from '../app/db/table'
import { createAccountsRepository, type AccountsRepository } from '../app/auth/accounts'
import { hashProblem } from '../app/auth/imported-hashes'
import { paceSetterFor } from '../app/auth/sign-in-door'

/** A user of an existing app's table, as imported: its own id (so its data stays linked), its login and its hash. */
export interface ImportedUser {
  id: string
  /** An email (signs in through `/auth/login` and the mounted app's form) or a username. */
  login: string
  passwordHash: string
  /** A display name, when the table has one. */
  name?: string
}

/** The users of a JSON or CSV user table; throws naming the row and column at fault. */
export function parseUserTable(text: string, format: 'json' | 'csv'): ImportedUser[] {
  const rows = format === 'json' ? (JSON.parse(text) as Record<string, unknown>[]) : parseCsv(text)
  if (!Array.isArray(rows)) throw new Error('the JSON file must hold an array of users')
  return rows.map((row, i) => {
    const field = (...names: string[]) => {
      for (const [key, value] of Object.entries(row)) {
        const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : ''
        if (names.includes(key.toLowerCase().replace(/[_-]/g, '')) && text !== '') return text
      }
      return undefined
    }
    const login = field('email', 'username', 'login', 'user')
    const passwordHash = field('passwordhash', 'password', 'hash', 'encryptedpassword')
    if (!login) throw new Error(`user ${i + 1}: no email or username`)
    if (!passwordHash) throw new Error(`user ${i + 1} (${login}): no password hash`)
    const problem = hashProblem(passwordHash)
    if (problem) throw new Error(`user ${i + 1} (${login}): ${problem}`)
    return { id: field('id', 'userid', 'uuid') ?? randomUUID(), login, passwordHash, name: field('name', 'displayname', 'fullname') }
  })
}

/**
 * Stores every user whose login is free, then records the pace setter (a decoy as slow to check as the
 * costliest hash now in the table); answers how many were imported and which logins were taken.
 */
export async function importUsers(
  users: ImportedUser[],
  accounts: AccountsRepository,
  now: Date,
): Promise<{ imported: number; skipped: string[] }> {
  const skipped: string[] = []
  for (const { id, login, passwordHash, name } of users) {
    const email = login.includes('@') ? login.trim().toLowerCase() : null
    const account = { id, login, email, passwordHash, createdAt: now.toISOString(), ...(name ? { name } : {}) }
    if (!(await accounts.import(account))) skipped.push(login)
  }
  const current = await accounts.paceSetter()
  const paceSetter = await paceSetterFor(
    users.map((user) => user.passwordHash),
    current,
  )
  if (paceSetter !== undefined && paceSetter !== current) await accounts.setPaceSetter(paceSetter)
  return { imported: users.length - skipped.length, skipped }
}

/** RFC 4180 CSV: quoted fields with commas, quotes ("") and line breaks. */
function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [[]]
  let field = ''
  let quoted = false
  const endField = () => {
    records.at(-1)!.push(field)
    field = ''
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c !== '"') field += c
      else if (text[i + 1] === '"') field += text[++i]
      else quoted = false
    } else if (c === '"') quoted = true
    else if (c === ',') endField()
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      endField()
      records.push([])
    } else field += c
  }
  records.at(-1)!.push(field)
  const [header, ...lines] = records.filter((r) => r.some((value) => value !== ''))
  return lines.map((values) => Object.fromEntries(header.map((name, i) => [name.trim(), values[i] ?? ''])))
}

async function main(file: string | undefined): Promise<void> {
  if (!file) throw new Error('usage: npm run import-users -- <users.json|users.csv>')
  const users = parseUserTable(readFileSync(file, 'utf8'), file.toLowerCase().endsWith('.csv') ? 'csv' : 'json')
  const config = loadConfig(process.env)
  let embedded: EmbeddedDynamo | undefined
  if (!config.dynamodbEndpoint && !config.production) {
    embedded = await startEmbeddedDynamo({ path: path.resolve(process.env.DATA_DIR ?? '.data', 'dynamodb') })
    config.dynamodbEndpoint = embedded.endpoint
  }
  const db = createDocumentClient(config)
  try {
    if (embedded) await ensureTable(db, config.tableName)
    const { imported, skipped } = await importUsers(users, createAccountsRepository({ db, tableName: config.tableName }), new Date())
    console.log(`Imported ${imported} of ${users.length} users into "${config.tableName}".`)
    if (skipped.length > 0) console.log(`Skipped, login already taken: ${skipped.join(', ')}`)
  } finally {
    db.destroy()
    await embedded?.close()
  }
}

if (require.main === module) {
  main(process.argv[2]).catch((err: unknown) => {
    console.error(`import-users: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  })
}
