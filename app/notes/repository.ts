import type { DynamoDBDocumentClient, UpdateCommandInput } from '@aws-sdk/lib-dynamodb'
import type { KeyObject } from 'node:crypto'
import { documentCommands, queryPages } from '../db/client'
import { isConditionFailure, rethrowUnavailable } from '../db/errors'
import { tableIndexes } from '../db/table'
import { HttpError } from '../errors'
import { decodeCursor, encodeCursor } from './cursor'
import { createIdGenerator } from './ids'
import type { Note, NoteCreate, NoteExport, NotePatch } from './schema'

export type Listing = 'live' | 'trash'

export interface Page {
  items: Note[]
  nextCursor: string | null
}

/** What `If-Match` asked for: any current version (`*`), or one of these versions. */
export type Expected = { any: true } | { versions: number[] }

export interface NotesRepository {
  create(userId: string, input: NoteCreate): Promise<Note>
  get(userId: string, id: string): Promise<Note>
  update(userId: string, id: string, patch: NotePatch, expected?: Expected): Promise<Note>
  trash(userId: string, id: string, expected?: Expected): Promise<void>
  restore(userId: string, id: string): Promise<Note>
  list(userId: string, listing: Listing, options: { limit: number; cursor?: string }): Promise<Page>
  /** Every live note of the user, newest first: Query after Query over the `live` index until it is done. */
  exportAll(userId: string): Promise<NoteExport>
  /** exportAll a page at a time (at most 1 MB of notes each), each page read when the one before it was taken. */
  exportPages(userId: string): ExportPages
}

/** An export as it is read: its time, then its notes page by page, newest first. */
export interface ExportPages {
  exportedAt: string
  pages: AsyncIterable<Note[]>
}

export interface NotesRepositoryDeps {
  db: DynamoDBDocumentClient
  tableName: string
  cursorKey: KeyObject
  clock: () => Date
}

const trashDays = 30
const dayMs = 24 * 60 * 60 * 1000

// Conditions, named. A live note has `liveSk`; a trashed one has `trashSk` instead (see db/table.ts).
const keyIsNew = 'attribute_not_exists(pk)'
const isLive = 'attribute_exists(liveSk)'
const isTrashedAndUnexpired = 'attribute_exists(trashSk) AND expiresAt > :nowSeconds'

/**
 * Notes of one user are one partition (`USER#<id>`); each note is one item that never moves.
 * Every change is one conditional write, so concurrent writers cannot lose each other's updates.
 * Commands come from documentCommands(), not an import, so the SDK loads with the first database call.
 */
export function createNotesRepository(deps: NotesRepositoryDeps): NotesRepository {
  const { db, tableName, cursorKey, clock } = deps
  const nextId = createIdGenerator(clock)
  const key = (userId: string, id: string) => ({ pk: `USER#${userId}`, sk: `NOTE#${id}` })
  const notFound = () => new HttpError(404, 'Not Found', { detail: 'No note with this id' })

  /** Whether an item is where a change expects it: in the list, or in the trash and not yet expired. */
  const isIn = (place: Listing, item: Record<string, unknown> | undefined): item is NoteItem =>
    place === 'live' ? Boolean(item?.liveSk) : Boolean(item?.trashSk) && Number(item!.expiresAt) > clock().getTime() / 1000

  /** After a failed condition: was the note gone (404) or at another version (412)? */
  async function conditionFailure(userId: string, id: string, place: Listing): Promise<HttpError> {
    const { GetCommand } = documentCommands()
    const { Item } = await db
      .send(new GetCommand({ TableName: tableName, Key: key(userId, id), ConsistentRead: true }))
      .catch(rethrowUnavailable)
    if (!Item || !isIn(place, Item)) return notFound()
    return new HttpError(412, 'Precondition Failed', {
      detail: `The note has changed: it is at version ${Item.version}; reload it and try again`,
      headers: { ETag: `"${Item.version}"` },
    })
  }

  /** Runs a conditional update; a failed condition becomes 404 or 412. */
  async function update(userId: string, id: string, place: Listing, input: Omit<UpdateCommandInput, 'TableName' | 'Key' | 'ReturnValues'>) {
    const { UpdateCommand } = documentCommands()
    try {
      const { Attributes } = await db.send(
        new UpdateCommand({ TableName: tableName, Key: key(userId, id), ReturnValues: 'ALL_NEW', ...input }),
      )
      return toNote(Attributes!)
    } catch (err) {
      if (isConditionFailure(err)) throw await conditionFailure(userId, id, place)
      rethrowUnavailable(err)
    }
  }

  function exportPages(userId: string): ExportPages {
    const exportedAt = clock().toISOString()
    const found = queryPages<NoteItem>(db, {
      TableName: tableName,
      IndexName: tableIndexes.live,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `USER#${userId}` },
      ScanIndexForward: false,
      ConsistentRead: true,
    })
    return { exportedAt, pages: notesOf(found) }
  }

  return {
    async create(userId, input) {
      const now = clock().toISOString()
      const id = nextId()
      const note: Note = { id, title: input.title, body: input.body, tags: input.tags, createdAt: now, updatedAt: now, version: 1 }
      const { PutCommand } = documentCommands()
      await db
        .send(new PutCommand({ TableName: tableName, Item: { ...key(userId, id), liveSk: id, ...note }, ConditionExpression: keyIsNew }))
        .catch(rethrowUnavailable)
      return note
    },

    async get(userId, id) {
      const { GetCommand } = documentCommands()
      const { Item } = await db
        .send(new GetCommand({ TableName: tableName, Key: key(userId, id), ConsistentRead: true }))
        .catch(rethrowUnavailable)
      if (!isIn('live', Item)) throw notFound()
      return toNote(Item)
    },

    async update(userId, id, patch, expected) {
      const names: Record<string, string> = {}
      const values: Record<string, unknown> = { ':one': 1, ':now': clock().toISOString() }
      const sets = ['#updatedAt = :now', '#version = #version + :one']
      names['#updatedAt'] = 'updatedAt'
      names['#version'] = 'version'
      for (const [field, value] of Object.entries(patch)) {
        if (value === undefined) continue
        names[`#${field}`] = field
        values[`:${field}`] = value
        sets.push(`#${field} = :${field}`)
      }
      const version = versionCondition(expected, values)
      return await update(userId, id, 'live', {
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: version ? `${isLive} AND ${version}` : isLive,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      })
    },

    async trash(userId, id, expected) {
      const now = clock()
      const values: Record<string, unknown> = {
        ':one': 1,
        ':now': now.toISOString(),
        ':trashSk': `${now.toISOString()}#${id}`,
        ':expiresAt': Math.floor((now.getTime() + trashDays * dayMs) / 1000),
      }
      const version = versionCondition(expected, values)
      await update(userId, id, 'live', {
        UpdateExpression: 'REMOVE liveSk SET trashSk = :trashSk, expiresAt = :expiresAt, updatedAt = :now, version = version + :one',
        ConditionExpression: version ? `${isLive} AND ${version}` : isLive,
        ExpressionAttributeValues: values,
      })
    },

    async restore(userId, id) {
      const now = clock()
      return await update(userId, id, 'trash', {
        UpdateExpression: 'REMOVE trashSk, expiresAt SET liveSk = :id, updatedAt = :now, version = version + :one',
        ConditionExpression: isTrashedAndUnexpired,
        ExpressionAttributeValues: { ':id': id, ':one': 1, ':now': now.toISOString(), ':nowSeconds': Math.floor(now.getTime() / 1000) },
      })
    },

    async list(userId, listing, { limit, cursor }) {
      const scope = { userId, listing }
      const indexKey = listing === 'live' ? 'liveSk' : 'trashSk'
      const pk = `USER#${userId}`
      // The trash lists by the time each note was trashed; notes trashed more than 30 days ago are
      // past their TTL and left out by the key condition, whether or not DynamoDB has deleted them yet.
      const expiredBefore = new Date(clock().getTime() - trashDays * dayMs).toISOString()
      const start = cursor === undefined ? undefined : decodeCursor(cursorKey, scope, cursor, expiredBefore)
      const { QueryCommand } = documentCommands()
      const { Items = [], LastEvaluatedKey } = await db
        .send(
          new QueryCommand({
            TableName: tableName,
            IndexName: tableIndexes[listing],
            KeyConditionExpression: listing === 'live' ? 'pk = :pk' : 'pk = :pk AND trashSk > :expiredBefore',
            ExpressionAttributeValues: listing === 'live' ? { ':pk': pk } : { ':pk': pk, ':expiredBefore': expiredBefore },
            ExclusiveStartKey: start && { pk, sk: start.sk, [indexKey]: start.indexKey },
            ScanIndexForward: false,
            ConsistentRead: true,
            // One more than asked: it tells whether another page exists, so the last page never comes back empty.
            Limit: limit + 1,
          }),
        )
        .catch(rethrowUnavailable)
      const items = Items.slice(0, limit) as NoteItem[]
      const last = items.at(-1)
      const more = Items.length > limit || (LastEvaluatedKey !== undefined && last !== undefined)
      return {
        items: items.map(toNote),
        nextCursor: more && last ? encodeCursor(cursorKey, scope, { sk: last.sk, indexKey: last[indexKey]! }) : null,
      }
    },

    async exportAll(userId) {
      const { exportedAt, pages } = exportPages(userId)
      const items: Note[] = []
      for await (const page of pages) items.push(...page)
      return { exportedAt, items }
    },

    exportPages,
  }
}

async function* notesOf(pages: AsyncIterable<NoteItem[]>): AsyncGenerator<Note[], void, undefined> {
  for await (const page of pages) yield page.map(toNote)
}

/** Adds the `If-Match` condition and its values; undefined when any version will do. */
function versionCondition(expected: Expected | undefined, values: Record<string, unknown>): string | undefined {
  if (!expected || 'any' in expected) return undefined
  // No usable tag matches no version (versions start at 1); the failed condition then tells 404 from 412.
  const versions = expected.versions.length > 0 ? expected.versions : [0]
  const names = versions.map((version, i) => {
    values[`:v${i}`] = version
    return `:v${i}`
  })
  return names.length === 1 ? `version = ${names[0]}` : `version IN (${names.join(', ')})`
}

/** A note as stored: the note, its keys, and the index key of where it is listed (see db/table.ts). */
type NoteItem = Note & { pk: string; sk: string; liveSk?: string; trashSk?: string; expiresAt?: number }

function toNote(stored: Record<string, unknown>): Note {
  const item = stored as unknown as NoteItem
  return {
    id: item.id,
    title: item.title,
    body: item.body,
    tags: item.tags ?? [],
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    version: item.version,
  }
}
