/**
 * lambda.ts with the document client stubbed (see stub-db.ts), for the warm cost per invocation:
 * the same app, adapter and logger, minus the database round trip.
 */
import { loadConfig } from '../../../app/config'
import { createApp } from '../../../app/index'
import { createLambdaHandler, lambdaRequestId } from '../../../app/lambda/handler'
import { createLogger } from '../../../app/logger'
import { stubDocumentClient } from './stub-db'

const config = loadConfig(process.env)
const logger = createLogger()
const app = createApp({ config, db: stubDocumentClient(), clock: () => new Date(), logger, requestIdOf: lambdaRequestId })

export const handler = createLambdaHandler(app, logger)
