/**
 * AWS Lambda entry of `changes`: the table's stream in, one SNS message per note change out.
 * The client and topic are set up once per container; a missing topic fails the cold start.
 */
import { SNSClient } from '@aws-sdk/client-sns'
import { createChangesHandler } from './app/changes/handler'
import { snsPublisher, topicArnFrom } from './app/changes/publisher'
import { createLogger } from './app/logger'

const topicArn = topicArnFrom(process.env)
const sns = new SNSClient({ maxAttempts: 3 })

export const handler = createChangesHandler({ publish: snsPublisher(sns, topicArn), logger: createLogger() })
