import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto'
import { HttpError } from '../errors'

/** Where a listing stopped: the note's sort key and its key in the listing's index. */
export interface Position {
  sk: string
  indexKey: string
}

export interface CursorScope {
  userId: string
  listing: string
}

/**
 * Cursors are opaque and signed: `<payload>.<mac>`, where the MAC covers the payload, the user and
 * the listing. Change a byte, or replay it as another user or on another listing, and it is a 400.
 */
export function encodeCursor(key: KeyObject, scope: CursorScope, position: Position): string {
  const payload = Buffer.from(JSON.stringify([position.sk, position.indexKey])).toString('base64url')
  return `${payload}.${mac(key, scope, payload)}`
}

export function decodeCursor(key: KeyObject, scope: CursorScope, cursor: string): Position {
  const [payload, signature, extra] = cursor.split('.')
  if (payload && signature && extra === undefined) {
    const expected = Buffer.from(mac(key, scope, payload))
    const given = Buffer.from(signature)
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      const [sk, indexKey] = JSON.parse(Buffer.from(payload, 'base64url').toString()) as [string, string]
      return { sk, indexKey }
    }
  }
  throw new HttpError(400, 'Bad Request', {
    detail: 'The cursor is not valid for this listing; start again without it',
    errors: [{ path: 'query.cursor', message: 'Invalid cursor' }],
  })
}

function mac(key: KeyObject, scope: CursorScope, payload: string): string {
  return createHmac('sha256', key).update(`${scope.userId}\n${scope.listing}\n${payload}`).digest('base64url')
}
