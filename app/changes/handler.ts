import type { Logger } from '../logger'
import { noteChangeOf, type NoteChange, type StreamEvent } from './events'

/** Partial batch response: Lambda retries the stream from the first record named here. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[]
}

export interface ChangesDeps {
  publish: (change: NoteChange) => Promise<void>
  logger: Logger
}

/**
 * Turns a batch of the table's stream records into one published message per note change, in
 * order. On the first failed publish it stops and names that record: Lambda retries from there,
 * so later records are not published ahead of it (a note's "restored" never overtakes its
 * "trashed"), and records before it are not sent twice. Non-note items are skipped.
 * @example export const handler = createChangesHandler({ publish: snsPublisher(sns, topicArn), logger })
 */
export function createChangesHandler(deps: ChangesDeps): (event: StreamEvent) => Promise<BatchResponse> {
  const { publish, logger } = deps
  return async function changes(event) {
    let published = 0
    for (const record of event.Records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber
      try {
        const change = noteChangeOf(record)
        if (change === undefined) continue
        await publish(change)
        published++
      } catch (err) {
        logger.error('note change not published; the stream retries from this record', {
          eventId: record.eventID,
          sequenceNumber,
          published,
          error: err,
        })
        return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] }
      }
    }
    logger.info('note changes published', { records: event.Records.length, published })
    return { batchItemFailures: [] }
  }
}
