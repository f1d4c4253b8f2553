/**
 * The parts of the AWS SDK the app's requests use, loaded with the first database call (see ../deferred.ts).
 * Named here rather than required whole, so the bundle keeps only these.
 */
export { DynamoDBClient } from '@aws-sdk/client-dynamodb'
export { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
