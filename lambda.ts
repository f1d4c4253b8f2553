/**
 * AWS Lambda entry: the dev server's app behind API Gateway, Function URLs or ALB. Two ways out of one
 * app: `handler` answers buffered (HTTP API, ALB, REST API), `streamHandler` streams (a function URL with
 * `InvokeMode: RESPONSE_STREAM`, a REST API with `ResponseTransferMode: STREAM`).
 * Everything here runs once per container, so a bad configuration fails the cold start, not a request.
 */
import { loadConfig } from './app/config'
import { createDocumentClient } from './app/db/client'
import { mounts } from './app/existing/mounts'
import { createApp, sitePathsOf } from './app/index'
import { createLambdaHandler, lambdaClientAddress, lambdaRequestId } from './app/lambda/handler'
import { createStreamHandler } from './app/lambda/stream-handler'
import { createLogger } from './app/logger'
import { createSesMailer } from './app/mail/ses'

const config = loadConfig(process.env)
const logger = createLogger()
const app = createApp({
  config,
  db: createDocumentClient(config),
  clock: () => new Date(),
  logger,
  requestIdOf: lambdaRequestId,
  clientAddressOf: lambdaClientAddress,
  // Password-reset emails through Amazon SES; without MAIL_FROM the cold start fails here.
  mailer: config.jwt.jwksUri ? undefined : createSesMailer(config),
  mounts, // none: app/existing is not even in the bundle
})
// Which secret signs pagination cursors, and which paths this function answers (the build reads them, see scripts/build-lambda.mjs).
logger.info('cold start', { cursorKeyFrom: config.cursorKeyFrom, site: sitePathsOf(app) })

export const handler = createLambdaHandler(app, logger)
export const streamHandler = createStreamHandler(app, logger)
