import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { ExistingApp } from '../../app/existing'

/** The members' site in app.js, built on the app's table. */
declare function membersApp(deps: { db: DynamoDBDocumentClient; tableName: string }): ExistingApp
export = membersApp
