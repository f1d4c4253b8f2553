import serverlessExpress, { getCurrentInvoke } from '@vendia/serverless-express'
import type { Express, Request } from 'express'
import type { Logger } from '../logger'
import { binarySettings } from './binary'
import type { HttpEvent, HttpResult, LambdaContext } from './events'
import { withAppPath } from './paths'

export type LambdaHandler = (event: HttpEvent, context: LambdaContext) => Promise<HttpResult>

/**
 * Wraps the app for every HTTP source Lambda has (REST API, HTTP API, Function URL, ALB) with
 * `@vendia/serverless-express`, after putting the app's own path into the event (see paths.ts).
 * Build it once per container; each call answers one invocation.
 * @example export const handler = createLambdaHandler(createApp(deps), logger)
 */
export function createLambdaHandler(app: Express, logger: Logger): LambdaHandler {
  const proxy = serverlessExpress({
    app,
    // The adapter would answer a failure with the stack in the body when NODE_ENV is "development".
    respondWithErrors: false,
    // Images, PDFs, archives: base64 to the event source, so they arrive byte for byte (see binary.ts).
    binarySettings,
    log: adapterLog(logger),
  })
  return function handler(event, context) {
    return proxy(withAppPath(event), context) as Promise<HttpResult>
  }
}

/**
 * The id API Gateway gave the request, or else (ALB has none) the Lambda invocation's; pass it
 * to createApp as `requestIdOf`, so `X-Request-Id` and the logs name what AWS's own logs name.
 */
export function lambdaRequestId(_req?: Request): string | undefined {
  const { event, context } = getCurrentInvoke()
  return event?.requestContext?.requestId ?? context?.awsRequestId
}

/** The adapter logs only its own failures (at level "error"); they go to the app's JSON log. */
function adapterLog(logger: Logger) {
  const quiet = () => undefined
  return {
    error: (message: string, error?: unknown) => logger.error('lambda adapter failed', { message, error }),
    warn: quiet,
    info: quiet,
    verbose: quiet,
    debug: quiet,
  }
}
