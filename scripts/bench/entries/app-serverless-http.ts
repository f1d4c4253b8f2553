/**
 * Baseline for the warm cost: the same app and stubbed document client as app-stubbed-db.ts, behind
 * serverless-http instead of the app's own adapter (app/lambda/handler.ts).
 */
import serverless from 'serverless-http'
import { loadConfig } from '../../../app/config'
import { createApp } from '../../../app/index'
import { createLogger } from '../../../app/logger'
import { stubDocumentClient } from './stub-db'

const config = loadConfig(process.env)
const app = createApp({ config, db: stubDocumentClient(), clock: () => new Date(), logger: createLogger() })

export const handler = serverless(app)
