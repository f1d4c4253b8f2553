import { pbkdf2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { bcryptjs } from '../deferred'
import { verifyPassword } from './passwords'

/**
 * Password hashes an imported user table may hold (scripts/import-users.ts), besides this app's own
 * `scrypt$N$r$p$salt$hash`:
 *
 * - bcrypt: `$2a$`, `$2b$`, `$2y$` (bcrypt, bcryptjs, PHP's password_hash, Devise, has_secure_password)
 * - PBKDF2: Django's `pbkdf2_sha256$<iterations>$<salt>$<base64>` (and `pbkdf2_sha1`), and Werkzeug's
 *   (Flask) `pbkdf2:sha256:<iterations>$<salt>$<hex>`
 * - scrypt: Werkzeug's `scrypt:<N>:<r>:<p>$<salt>$<hex>`
 *
 * A stored hash sets its own cost, and anyone may ask for a check of any account: so every kind has a
 * cap, above which a hash is refused at import and never checked (see {@link hashCaps}).
 */
export type HashKind = 'own' | 'bcrypt' | 'pbkdf2' | 'scrypt'

/**
 * The most a check may cost. Each sits at or above today's defaults (bcrypt 12 in Rails, Devise and
 * Laravel; Django 6's 1,200,000 PBKDF2 iterations; Werkzeug's scrypt N=2^15, r=8, p=1) and far below
 * the costs that make a check take seconds or a gigabyte of memory (docs/AUTH.md, "Imported accounts").
 */
export const hashCaps = { bcryptCost: 12, pbkdf2Iterations: 1_200_000, scryptNr: 2 ** 18, scryptP: 4 }

/** bcrypt reads the first 72 bytes of a password and ignores the rest. */
const bcryptMaxBytes = 72

interface Parsed {
  kind: HashKind
  /** Why this hash is never checked: its cost is over a cap. */
  overCap?: string
}

const own = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$[\w-]+\$[\w-]+$/
const bcrypt = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/
const django = /^pbkdf2_(sha1|sha256|sha512)\$(\d+)\$([^$]+)\$([A-Za-z0-9+/=]+)$/
const werkzeugPbkdf2 = /^pbkdf2:(sha1|sha256|sha512):(\d+)\$([^$]+)\$([0-9a-f]+)$/
const werkzeugScrypt = /^scrypt:(\d+):(\d+):(\d+)\$([^$]+)\$([0-9a-f]+)$/

function parse(stored: string): Parsed | undefined {
  let m: RegExpExecArray | null
  if ((m = own.exec(stored))) return { kind: 'own', overCap: scryptOverCap(Number(m[1]), Number(m[2]), Number(m[3])) }
  if ((m = bcrypt.exec(stored))) {
    const cost = Number(m[1])
    return { kind: 'bcrypt', overCap: cost > hashCaps.bcryptCost ? `bcrypt cost ${cost} is over ${hashCaps.bcryptCost}` : undefined }
  }
  if ((m = django.exec(stored) ?? werkzeugPbkdf2.exec(stored))) {
    const iterations = Number(m[2])
    const overCap =
      iterations > hashCaps.pbkdf2Iterations ? `PBKDF2 at ${iterations} iterations is over ${hashCaps.pbkdf2Iterations}` : undefined
    return { kind: 'pbkdf2', overCap }
  }
  if ((m = werkzeugScrypt.exec(stored))) return { kind: 'scrypt', overCap: scryptOverCap(Number(m[1]), Number(m[2]), Number(m[3])) }
  return undefined
}

function scryptOverCap(N: number, r: number, p: number): string | undefined {
  if (!Number.isSafeInteger(N * r) || N * r > hashCaps.scryptNr) return `scrypt N·r = ${N * r} is over ${hashCaps.scryptNr}`
  if (p > hashCaps.scryptP) return `scrypt p = ${p} is over ${hashCaps.scryptP}`
  return undefined
}

/** The kind of a stored hash, or undefined when it is none this app can check. */
export function hashKind(stored: string): HashKind | undefined {
  return parse(stored)?.kind
}

/** Why a stored hash cannot be imported (an unknown kind, or a cost over its cap), or undefined when it can. */
export function hashProblem(stored: string): string | undefined {
  const parsed = parse(stored)
  if (!parsed) return 'a password hash of a kind this app cannot check'
  return parsed.overCap && `${parsed.overCap}, the most a check may cost (docs/AUTH.md)`
}

/**
 * Checks a password against a hash of any kind above, comparing derived keys in constant time. A hash
 * over its cap never matches, and neither does a password longer than bcrypt reads, so that only the
 * exact password verifies (bcrypt would accept any text that shares its first 72 bytes).
 */
export async function verifyAnyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored)
  if (!parsed || parsed.overCap) return false
  switch (parsed.kind) {
    case 'own':
      return verifyPassword(password, stored)
    case 'bcrypt':
      return Buffer.byteLength(password) <= bcryptMaxBytes && bcryptjs().compare(password, stored)
    case 'pbkdf2':
      return verifyPbkdf2(password, stored)
    case 'scrypt':
      return verifyWerkzeugScrypt(password, stored)
  }
}

/**
 * A hash of the same kind and cost as `stored`, of a random password nobody knows: what unknown logins
 * are checked against when the slowest imported hash sets the pace (see sign-in-door.ts).
 */
export async function decoyLike(stored: string): Promise<string> {
  const password = randomBytes(18).toString('base64url')
  const salt = randomBytes(12).toString('base64url')
  let m: RegExpExecArray | null
  if ((m = bcrypt.exec(stored))) return bcryptjs().hash(password, Number(m[1]))
  if ((m = django.exec(stored))) {
    const key = await derivePbkdf2(password, salt, Number(m[2]), Buffer.from(m[4], 'base64').length, m[1])
    return `pbkdf2_${m[1]}$${m[2]}$${salt}$${key.toString('base64')}`
  }
  if ((m = werkzeugPbkdf2.exec(stored))) {
    const key = await derivePbkdf2(password, salt, Number(m[2]), m[4].length / 2, m[1])
    return `pbkdf2:${m[1]}:${m[2]}$${salt}$${key.toString('hex')}`
  }
  if ((m = werkzeugScrypt.exec(stored))) {
    const key = await deriveScrypt(password, salt, m[5].length / 2, Number(m[1]), Number(m[2]), Number(m[3]))
    return `scrypt:${m[1]}:${m[2]}:${m[3]}$${salt}$${key.toString('hex')}`
  }
  throw new Error('decoyLike: not an imported hash of a kind this app checks')
}

function derivePbkdf2(password: string, salt: string, iterations: number, length: number, digest: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    pbkdf2(password, salt, iterations, length, digest, (err, key) => (err ? reject(err) : resolve(key))),
  )
}

function deriveScrypt(password: string, salt: string, length: number, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  )
}

async function verifyPbkdf2(password: string, stored: string): Promise<boolean> {
  const fromDjango = django.exec(stored)
  const [, digest, iterations, salt, hash] = (fromDjango ?? werkzeugPbkdf2.exec(stored))!
  const expected = Buffer.from(hash, fromDjango ? 'base64' : 'hex')
  return equal(await derivePbkdf2(password, salt, Number(iterations), expected.length, digest), expected)
}

async function verifyWerkzeugScrypt(password: string, stored: string): Promise<boolean> {
  const [, N, r, p, salt, hash] = werkzeugScrypt.exec(stored)!
  const expected = Buffer.from(hash, 'hex')
  return equal(await deriveScrypt(password, salt, expected.length, Number(N), Number(r), Number(p)), expected)
}

function equal(actual: Buffer, expected: Buffer): boolean {
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}
