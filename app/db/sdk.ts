/**
 * The parts of the AWS SDK the app's requests use, in one module that client.ts requires on the first
 * database call. Named here rather than required whole, so the bundle keeps only these commands.
 */
export { DynamoDBClient } from '@aws-sdk/client-dynamodb'
export { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
