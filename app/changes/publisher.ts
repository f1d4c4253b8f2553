import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns'
import { ConfigError } from '../config'
import type { NoteChange } from './events'

/**
 * Publishes a note change to the topic as JSON, with its type also as the `eventType` message
 * attribute so a subscription can filter (e.g. only `note.purged`) without reading the body.
 */
export function snsPublisher(sns: SNSClient, topicArn: string): (change: NoteChange) => Promise<void> {
  return async function publish(change) {
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify(change),
        MessageAttributes: { eventType: { DataType: 'String', StringValue: change.type } },
      }),
    )
  }
}

/** The topic's ARN from `CHANGES_TOPIC_ARN`; a missing one fails the cold start, naming the variable. */
export function topicArnFrom(env: Record<string, string | undefined>): string {
  const arn = env.CHANGES_TOPIC_ARN?.trim()
  if (!arn || !arn.startsWith('arn:')) throw new ConfigError('CHANGES_TOPIC_ARN must be set to the SNS topic ARN')
  return arn
}
