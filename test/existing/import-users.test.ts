import { pbkdf2Sync, scryptSync } from 'node:crypto'
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import { hashSync } from 'bcryptjs'
import request from 'supertest'
import { createAccountsRepository, type AccountsRepository } from '../../app/auth/accounts'
import { hashKind } from '../../app/auth/imported-hashes'
import { hashPassword } from '../../app/auth/passwords'
import { importUsers, parseUserTable } from '../../scripts/import-users'
import { createTestApp, type TestApp } from '../helpers/app'

/**
 * An existing app's users move with it: the import reads JSON or CSV user tables, keeps ids and
 * hashes as they are, and each kind of hash (bcrypt, PBKDF2 from Django and Werkzeug, Werkzeug's
 * scrypt, this app's scrypt) signs its user in through the one sign-in door (here `/auth/login`, which
 * takes usernames too); the first success replaces a legacy hash with this app's scrypt.
 */
const password = 'analytical engine'
const legacyHashes: [string, string][] = [
  ['bcrypt ($2b$)', hashSync(password, 4)],
  ['bcrypt ($2y$, PHP)', hashSync(password, 4).replace(/^\$2b\$/, '$2y$')],
  ['PBKDF2, Django', `pbkdf2_sha256$1000$s4lt$${pbkdf2Sync(password, 's4lt', 1000, 32, 'sha256').toString('base64')}`],
  ['PBKDF2, Werkzeug', `pbkdf2:sha256:1000$s4lt$${pbkdf2Sync(password, 's4lt', 1000, 32, 'sha256').toString('hex')}`],
  ['scrypt, Werkzeug', `scrypt:16384:8:1$s4lt$${scryptSync(password, 's4lt', 64, { N: 16384, r: 8, p: 1 }).toString('hex')}`],
]

let t: TestApp
let accounts: AccountsRepository
beforeAll(async () => {
  t = await createTestApp()
  accounts = createAccountsRepository({ db: t.db, tableName: t.config.tableName })
})
afterAll(() => t.close())

const storedHash = async (login: string) =>
  (await t.db.send(new GetCommand({ TableName: t.config.tableName, Key: { pk: `ACCOUNT#${login}`, sk: 'ACCOUNT' } }))).Item
    ?.passwordHash as string
const login = (name: string, secret: string) => request(t.app).post('/auth/login').send({ email: name, password: secret })

describe.each(legacyHashes)('a user imported with a %s hash', (kind, hash) => {
  const username = `user-${kind.replace(/\W+/g, '-').toLowerCase()}`

  beforeAll(async () => {
    await importUsers([{ id: `id-${username}`, login: username, passwordHash: hash, name: 'Ada' }], accounts, new Date())
  })

  it('is refused with a wrong password, and the hash stays as it was', async () => {
    expect((await login(username, 'wrong password')).status).toBe(401)
    expect(await storedHash(username)).toBe(hash)
  })

  it('signs in with the right one, keeping its id, and the hash becomes this app’s scrypt', async () => {
    const first = await login(username.toUpperCase(), password)

    expect(first.status).toBe(200)
    expect(first.body.user).toEqual({ id: `id-${username}`, email: null })
    const rehashed = await storedHash(username)
    expect(hashKind(rehashed)).toBe('own')
    expect((await login(username, password)).status).toBe(200)
    expect(await storedHash(username)).toBe(rehashed)
  })
})

describe('importing a user table', () => {
  it('reads CSV with quoted fields, usernames and emails, and keeps ids', () => {
    const csv =
      'ID,Username,Email,Name,Password_Hash\r\n7,ada,,"Lovelace, Ada",$2b$04$abcdefghijklmnopqrstuuJ6cY6Sb7m8V1oBvQ5PXqf1z8pQ0cT5a\r\n8,,grace@example.com,"Grace ""Amazing"" Hopper",pbkdf2_sha256$1$s$aGFzaA==\r\n'

    expect(parseUserTable(csv, 'csv')).toEqual([
      { id: '7', login: 'ada', name: 'Lovelace, Ada', passwordHash: '$2b$04$abcdefghijklmnopqrstuuJ6cY6Sb7m8V1oBvQ5PXqf1z8pQ0cT5a' },
      { id: '8', login: 'grace@example.com', name: 'Grace "Amazing" Hopper', passwordHash: 'pbkdf2_sha256$1$s$aGFzaA==' },
    ])
  })

  it('refuses a row without a usable hash, naming it', () => {
    expect(() =>
      parseUserTable(JSON.stringify([{ username: 'ada', password_hash: 'md5:5f4dcc3b5aa765d61d8327deb882cf99' }]), 'json'),
    ).toThrow(/user 1 \(ada\): a password hash of a kind this app cannot check/)
  })

  it('skips a login that is taken, so running it twice is safe', async () => {
    const table = [{ id: 'dup-1', login: 'twice', passwordHash: await hashPassword(password) }]

    const first = await importUsers(table, accounts, new Date())
    const second = await importUsers(table, accounts, new Date())

    expect(first).toEqual({ imported: 1, skipped: [] })
    expect(second).toEqual({ imported: 0, skipped: ['twice'] })
  })

  it('stores an email user as this app’s users are: it signs in through /auth/login with its email, its id kept', async () => {
    const email = 'babbage@example.com'
    await importUsers([{ id: 'id-babbage', login: email, passwordHash: legacyHashes[0][1] }], accounts, new Date())

    const res = await login(email, password)

    expect(res.status).toBe(200)
    expect(res.body.user).toEqual({ id: 'id-babbage', email })
  })
})
