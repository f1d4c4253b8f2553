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

/**
 * The position a cursor holds, or a 400. A signature proves only who made the payload, so its shape is
 * checked too: a note's sort key and that note's key in the listing's index (the trash's after
 * `trashedAfter`, the oldest time the trash still lists), never something DynamoDB would refuse with a 500.
 */
export function decodeCursor(key: KeyObject, scope: CursorScope, cursor: string, trashedAfter?: string): Position {
  const [payload, signature, extra] = cursor.split('.')
  if (payload && signature && extra === undefined) {
    const expected = Buffer.from(mac(key, scope, payload))
    const given = Buffer.from(signature)
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      const position = positionOf(Buffer.from(payload, 'base64url').toString(), scope.listing, trashedAfter)
      if (position) return position
    }
  }
  throw new HttpError(400, 'Bad Request', {
    detail: 'The cursor is not valid for this listing; start again without it',
    errors: [{ path: 'query.cursor', message: 'Invalid cursor' }],
  })
}

/** Checked by hand rather than with zod: the list route's cold start should not load a schema library for two strings. */
const noteKey = /^NOTE#([0-9A-HJKMNP-TV-Z]{26})$/
const trashKey = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)#([0-9A-HJKMNP-TV-Z]{26})$/

function positionOf(json: string, listing: string, trashedAfter: string | undefined): Position | undefined {
  let decoded: unknown
  try {
    decoded = JSON.parse(json)
  } catch {
    return undefined
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) return undefined
  const [sk, indexKey] = decoded as unknown[]
  if (typeof sk !== 'string' || typeof indexKey !== 'string') return undefined
  const id = noteKey.exec(sk)?.[1]
  if (id === undefined) return undefined
  if (listing === 'live') return indexKey === id ? { sk, indexKey } : undefined
  const trashed = trashKey.exec(indexKey)
  if (!trashed || trashed[2] !== id || Number.isNaN(Date.parse(trashed[1]))) return undefined
  if (trashedAfter !== undefined && indexKey <= trashedAfter) return undefined
  return { sk, indexKey }
}

function mac(key: KeyObject, scope: CursorScope, payload: string): string {
  return createHmac('sha256', key).update(`${scope.userId}\n${scope.listing}\n${payload}`).digest('base64url')
}
