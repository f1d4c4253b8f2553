/**
 * AWS Lambda entry of `exportNotes`: GET /api/notes/export peeled off the `api` function (phase two).
 * The same route module as in the app (app/notes/routes.ts), in a bundle of its own, with a role
 * that may only Query the table's `live` index. `handler` answers buffered (the HTTP API route), `streamHandler`
 * writes the export as it is read (behind a function URL or REST API that streams). Everything here runs once per container.
 */
import { loadConfig } from '../app/config'
import { createDocumentClient } from '../app/db/client'
import { createLambdaHandler, lambdaRequestId } from '../app/lambda/handler'
import { createStreamHandler } from '../app/lambda/stream-handler'
import { createLogger } from '../app/logger'
import { createNotesRepository } from '../app/notes/repository'
import { exportRoutes } from '../app/notes/routes'
import { createPeeledApp } from './peeled-app'

const config = loadConfig(process.env)
const logger = createLogger()
const clock = () => new Date()
const notes = createNotesRepository({ db: createDocumentClient(config), tableName: config.tableName, cursorKey: config.cursorKey, clock })
const app = createPeeledApp({ config, clock, logger, requestIdOf: lambdaRequestId }, { '/api/notes/export': exportRoutes(notes) })

export const handler = createLambdaHandler(app, logger)
export const streamHandler = createStreamHandler(app, logger)
