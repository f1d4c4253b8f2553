import { randomBytes } from 'node:crypto'

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ' // Crockford's base32: sorts as text in time order
const randomChars = 16

/** A note id: 26 characters, 10 of time and 16 random, so ids sort by creation like ULIDs. */
export const noteIdPattern = /^[0-9A-HJKMNP-TV-Z]{26}$/

/**
 * Makes ids from the injected clock that always increase, even within one millisecond or when
 * the clock steps back, so "newest first" is exact within a process.
 */
export function createIdGenerator(clock: () => Date): () => string {
  let lastTime = -1
  let lastRandom = 0n
  return function nextId() {
    const now = clock().getTime()
    if (now > lastTime) {
      lastTime = now
      lastRandom = BigInt('0x' + randomBytes(10).toString('hex')) >> 1n // headroom to increment
    } else {
      lastRandom += 1n
    }
    return encode(BigInt(lastTime), 10) + encode(lastRandom, randomChars)
  }
}

function encode(value: bigint, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) {
    out = alphabet[Number(value & 31n)] + out
    value >>= 5n
  }
  return out
}
