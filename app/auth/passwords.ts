import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

// scrypt cost N=2^14, r=8, p=1 (OWASP's floor for scrypt); stored with the hash so it can be raised later.
const params = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }
const keyLength = 32

function derive(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLength, { N, r, p, maxmem: params.maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  )
}

/** Hashes a password with scrypt and a random salt, as `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await derive(password, salt, params.N, params.r, params.p)
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), hash.toString('base64url')].join('$')
}

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  const actual = await derive(password, Buffer.from(salt, 'base64url'), Number(N), Number(r), Number(p))
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** Whether a hash of this app's was made with other parameters than today's: the next sign-in replaces it. */
export function needsRehash(stored: string): boolean {
  const [scheme, N, r, p] = stored.split('$')
  return scheme !== 'scrypt' || Number(N) !== params.N || Number(r) !== params.r || Number(p) !== params.p
}

/**
 * A real hash of a random password nobody knows. Login checks unknown emails against it, so both
 * failures take the same time and a caller cannot tell which emails are registered.
 */
export const decoyHash = 'scrypt$16384$8$1$M8whvgdQU8IkpQHeSBJelA$QwPagJ1bajcpB-BD33ktMNhMS0lhHFq7EpIf7Yzlr2o'
