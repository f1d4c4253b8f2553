/**
 * Baseline: the floor. One plain Lambda handler for `GET /api/notes`, written by hand for that route with
 * the libraries the app uses, as a team that drops Express would write it: jsonwebtoken verifying the
 * HS256 token (a KeyObject made once; algorithm, issuer and audience pinned), one QueryCommand through
 * @aws-sdk/lib-dynamodb on the `live` index, newest first, and the items mapped to the API's fields.
 * Bundled with the app's esbuild options and none of its trimming, as the hello-world baseline is.
 */
import { createSecretKey } from 'node:crypto'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
import jwt from 'jsonwebtoken'

const key = createSecretKey(Buffer.from(process.env.JWT_SECRET))
const tableName = process.env.TABLE_NAME
// The endpoint is the bench's DynamoDB; the credentials come through the SDK's default chain, from the
// variables Lambda sets (the bench sets them too), as a handler written for Lambda finds them.
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: process.env.AWS_REGION, endpoint: process.env.DYNAMODB_ENDPOINT }))
const json = { 'content-type': 'application/json; charset=utf-8' }

export const handler = async (event) => {
  const token = /^Bearer (\S+)$/.exec(event.headers?.authorization ?? '')?.[1]
  let claims
  try {
    claims = jwt.verify(token ?? '', key, { algorithms: ['HS256'], issuer: 'notes-api', audience: 'notes-api' })
  } catch {
    return { statusCode: 401, headers: json, body: JSON.stringify({ title: 'Unauthorized' }) }
  }
  const limit = Math.min(100, Math.max(1, Number(event.queryStringParameters?.limit ?? 20) || 20))
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'live',
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `USER#${claims.sub}` },
      ScanIndexForward: false,
      Limit: limit + 1,
    }),
  )
  const items = Items.slice(0, limit).map(({ id, title, body, tags, createdAt, updatedAt, version }) => ({
    id,
    title,
    body,
    tags,
    createdAt,
    updatedAt,
    version,
  }))
  return { statusCode: 200, headers: json, body: JSON.stringify({ items, nextCursor: Items.length > limit ? items.at(-1).id : null }) }
}
