/** A DynamoDB attribute value as a stream record carries it; only the kinds note keys and versions use. */
export type AttributeValue = { S: string } | { N: string } | Record<string, unknown>

/** One DynamoDB Streams record, as Lambda delivers it (the fields this function reads). */
export interface StreamRecord {
  eventID: string
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE'
  eventSource?: string
  /** Set on deletions made by DynamoDB itself; TTL deletions name the service `dynamodb.amazonaws.com`. */
  userIdentity?: { type: string; principalId: string }
  dynamodb: {
    ApproximateCreationDateTime?: number
    Keys: Record<string, AttributeValue>
    NewImage?: Record<string, AttributeValue>
    OldImage?: Record<string, AttributeValue>
    SequenceNumber: string
  }
}

export interface StreamEvent {
  Records: StreamRecord[]
}

export type NoteEventType = 'note.created' | 'note.updated' | 'note.trashed' | 'note.restored' | 'note.purged' | 'note.deleted'

/**
 * What consumers hear about a note: what happened, to which note of which user, between which
 * versions. Never the note's title, body or tags: subscribers read those through the API, if allowed.
 */
export interface NoteChange {
  type: NoteEventType
  noteId: string
  userId: string
  /** null when there was no note before (created). */
  oldVersion: number | null
  /** null when there is no note after (purged, deleted). */
  newVersion: number | null
  /** When DynamoDB recorded the change (ISO-8601), if the record says. */
  occurredAt: string | null
  /** The stream record's id: the same change delivered twice has the same id. */
  eventId: string
}

const userPrefix = 'USER#'
const notePrefix = 'NOTE#'

/**
 * Reads the note change in a stream record, or undefined for items that are not notes (user
 * records, `EMAIL#...`). A note is live while it has `liveSk` and trashed while it has `trashSk`
 * (see app/notes/repository.ts), so a modification that swaps them is a trash or a restore.
 */
export function noteChangeOf(record: StreamRecord): NoteChange | undefined {
  const pk = text(record.dynamodb.Keys.pk)
  const sk = text(record.dynamodb.Keys.sk)
  if (!pk?.startsWith(userPrefix) || !sk?.startsWith(notePrefix)) return undefined
  const { OldImage: before, NewImage: after, ApproximateCreationDateTime: at } = record.dynamodb
  return {
    type: typeOf(record),
    noteId: sk.slice(notePrefix.length),
    userId: pk.slice(userPrefix.length),
    oldVersion: record.eventName === 'INSERT' ? null : version(before),
    newVersion: record.eventName === 'REMOVE' ? null : version(after),
    occurredAt: at === undefined ? null : new Date(at * 1000).toISOString(),
    eventId: record.eventID,
  }
}

function typeOf(record: StreamRecord): NoteEventType {
  const { OldImage: before, NewImage: after } = record.dynamodb
  switch (record.eventName) {
    case 'INSERT':
      return 'note.created'
    case 'REMOVE':
      return removedByTtl(record) ? 'note.purged' : 'note.deleted'
    default:
      if (has(before, 'liveSk') && !has(after, 'liveSk') && has(after, 'trashSk')) return 'note.trashed'
      if (has(before, 'trashSk') && has(after, 'liveSk')) return 'note.restored'
      return 'note.updated'
  }
}

/** DynamoDB's TTL process deletes as the service principal; anything else is someone's DeleteItem. */
function removedByTtl(record: StreamRecord): boolean {
  return record.userIdentity?.type === 'Service' && record.userIdentity.principalId === 'dynamodb.amazonaws.com'
}

function has(image: Record<string, AttributeValue> | undefined, name: string): boolean {
  return image?.[name] !== undefined
}

function text(value: AttributeValue | undefined): string | undefined {
  return value && 'S' in value && typeof value.S === 'string' ? value.S : undefined
}

function version(image: Record<string, AttributeValue> | undefined): number | null {
  const value = image?.version
  if (!value || !('N' in value)) return null
  const n = Number(value.N)
  return Number.isSafeInteger(n) ? n : null
}
