import { pbkdf2, scrypt, timingSafeEqual } from 'node:crypto'
import { verifyPassword } from '../auth/passwords'
import { bcryptjs } from '../deferred'

/**
 * Password hashes an imported user table may hold, besides this app's own `scrypt$N$r$p$salt$hash`:
 *
 * - bcrypt: `$2a$`, `$2b$`, `$2y$` (bcrypt, bcryptjs, PHP's password_hash, Devise, has_secure_password)
 * - PBKDF2: Django's `pbkdf2_sha256$<iterations>$<salt>$<base64>` (and `pbkdf2_sha1`), and Werkzeug's
 *   (Flask) `pbkdf2:sha256:<iterations>$<salt>$<hex>`
 * - scrypt: Werkzeug's `scrypt:<N>:<r>:<p>$<salt>$<hex>`
 */
export type HashKind = 'own' | 'bcrypt' | 'pbkdf2' | 'scrypt'

/** The kind of a stored hash, or undefined when it is none this app can check. */
export function hashKind(stored: string): HashKind | undefined {
  if (/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/.test(stored)) return 'own'
  if (/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(stored)) return 'bcrypt'
  if (/^pbkdf2_sha(1|256|512)\$\d+\$[^$]+\$[A-Za-z0-9+/=]+$/.test(stored)) return 'pbkdf2'
  if (/^pbkdf2:sha(1|256|512):\d+\$[^$]+\$[0-9a-f]+$/.test(stored)) return 'pbkdf2'
  if (/^scrypt:\d+:\d+:\d+\$[^$]+\$[0-9a-f]+$/.test(stored)) return 'scrypt'
  return undefined
}

/** Checks a password against a hash of any kind above, in constant time for the derived keys. */
export async function verifyAnyPassword(password: string, stored: string): Promise<boolean> {
  switch (hashKind(stored)) {
    case 'own':
      return verifyPassword(password, stored)
    case 'bcrypt':
      return bcryptjs().compare(password, stored)
    case 'pbkdf2':
      return verifyPbkdf2(password, stored)
    case 'scrypt':
      return verifyWerkzeugScrypt(password, stored)
    default:
      return false
  }
}

async function verifyPbkdf2(password: string, stored: string): Promise<boolean> {
  const django = /^pbkdf2_(sha\d+)\$(\d+)\$([^$]+)\$(.+)$/.exec(stored)
  const werkzeug = /^pbkdf2:(sha\d+):(\d+)\$([^$]+)\$(.+)$/.exec(stored)
  const [, digest, iterations, salt, hash] = (django ?? werkzeug)!
  const expected = Buffer.from(hash, django ? 'base64' : 'hex')
  const actual = await new Promise<Buffer>((resolve, reject) =>
    pbkdf2(password, salt, Number(iterations), expected.length, digest, (err, key) => (err ? reject(err) : resolve(key))),
  )
  return equal(actual, expected)
}

async function verifyWerkzeugScrypt(password: string, stored: string): Promise<boolean> {
  const [, N, r, p, salt, hash] = /^scrypt:(\d+):(\d+):(\d+)\$([^$]+)\$(.+)$/.exec(stored)!
  const expected = Buffer.from(hash, 'hex')
  const [n, rr, pp] = [Number(N), Number(r), Number(p)]
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, expected.length, { N: n, r: rr, p: pp, maxmem: 256 * n * rr + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  )
  return equal(actual, expected)
}

function equal(actual: Buffer, expected: Buffer): boolean {
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}
