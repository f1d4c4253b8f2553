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

/**
 * The client address of the invocation as AWS saw it, for login throttling; pass it to createApp as
 * `clientAddressOf`. REST API: `requestContext.identity.sourceIp`; HTTP API and Function URLs:
 * `requestContext.http.sourceIp`; ALB: the last `X-Forwarded-For` entry, the one the load balancer
 * appended itself (entries before it are whatever the client sent). Never a header the client controls.
 */
export function lambdaClientAddress(_req?: Request): string | undefined {
  const { event } = getCurrentInvoke() as { event?: AddressedEvent }
  const context = event?.requestContext
  const sourceIp = context?.http?.sourceIp ?? context?.identity?.sourceIp
  if (sourceIp !== undefined) return sourceIp
  if (context?.elb === undefined) return undefined
  const lines = event?.multiValueHeaders?.['x-forwarded-for'] ?? [event?.headers?.['x-forwarded-for']]
  return lines.at(-1)?.split(',').at(-1)?.trim() || undefined
}

/** The parts of an HTTP event that say who called; ALB sends header names in lower case. */
interface AddressedEvent {
  requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string }; elb?: object }
  headers?: Record<string, string | undefined>
  multiValueHeaders?: Record<string, string[] | undefined>
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
