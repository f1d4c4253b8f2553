import serverlessExpress from '@vendia/serverless-express'
import type { Express, Request, Response } from 'express'
import { HttpError, serverError } from '../errors'
import type { Logger } from '../logger'
import { isHttpApiEvent, type HttpEvent, type HttpResult, type LambdaContext } from './events'
import { binarySettings } from './binary'
import { forApp } from './paths'
import { problemResult } from './problem'

export type LambdaHandler = (event: HttpEvent, context: LambdaContext) => Promise<HttpResult>

interface AdapterOptions {
  app: Express
  respondWithErrors: boolean
  binarySettings: typeof binarySettings
  log: ReturnType<typeof adapterLog>
  framework: { sendRequest(args: { request: Request; response: Response }): Promise<void> }
}

/** The adapter's own types name aws-lambda's, which this project does not install; this is the call as used here. */
const configureAdapter = serverlessExpress as unknown as (options: AdapterOptions) => LambdaHandler

/**
 * Wraps the app for every HTTP source Lambda has (REST API, HTTP API, Function URL, ALB) with
 * `@vendia/serverless-express`, after putting the app's own path into the event (see paths.ts) and
 * with the prefix the client's URL had in front of it on the request (`req.pathPrefix`).
 * Whatever fails in or around the adapter still answers a problem+json with the request id,
 * helmet's headers and a log line: 400 when the event was at fault, else 500.
 *
 * Lambda may run many invocations at once in one process (Managed Instances), so nothing of one
 * invocation is kept outside it: the event and context travel on the request (`req.lambda`), where
 * {@link lambdaRequestId} and {@link lambdaClientAddress} read them. The adapter's own
 * `getCurrentInvoke()` is one module-level object that the latest invocation overwrites, so it is never read.
 * Build it once per container; each call answers one invocation.
 * @example export const handler = createLambdaHandler(createApp(deps), logger)
 */
export function createLambdaHandler(app: Express, logger: Logger): LambdaHandler {
  return async function handler(event, context) {
    let failure: unknown
    let appRan = false
    try {
      const { event: appEvent, prefix } = forApp(event)
      // Configured per invocation (a few small objects), so its log and request hook belong to this invocation alone.
      const proxy = configureAdapter({
        app,
        // The adapter would answer a failure with the stack in the body when NODE_ENV is "development".
        respondWithErrors: false,
        // Images, PDFs, archives: base64 to the event source, so they arrive byte for byte (see binary.ts).
        binarySettings,
        // It reports its failures only to its log, then resolves an empty 500: caught here, and replaced below.
        log: adapterLog((error) => (failure ??= error)),
        framework: {
          sendRequest({ request, response }) {
            request.lambda = { event, context }
            if (prefix) request.pathPrefix = prefix
            appRan = true
            return answered(app, request, response)
          },
        },
      })
      const result = await proxy(appEvent, context)
      if (failure === undefined) return result
    } catch (error) {
      failure ??= error
    }
    const requestId = platformRequestId(event, context)
    const error = failure instanceof HttpError ? failure : serverError(failure)
    if (error.status >= 500) logger.error('lambda adapter failed', { requestId, error: failure })
    // The app's access log has its line already when the failure came after it answered.
    if (!appRan) logger.info('request', { requestId, method: httpMethod(event), path: requestPath(event), status: error.status })
    return problemResult(event, error, requestId)
  }
}

/**
 * Hands the request to the app and settles when the response has been sent. The adapter marks the
 * request read (`readable = false`) as soon as this settles: settling when the app returned, at its
 * first `await`, would take the body away from a parser that had not read it yet.
 */
function answered(app: Express, request: Request, response: Response): Promise<void> {
  return new Promise((resolve) => {
    response.once('finish', resolve)
    response.once('close', resolve)
    app(request, response)
  })
}

/**
 * The id API Gateway gave the request, or else (ALB has none) the Lambda invocation's; pass it
 * to createApp as `requestIdOf`, so `X-Request-Id` and the logs name what AWS's own logs name.
 */
export function lambdaRequestId(req: Request): string | undefined {
  return req.lambda ? platformRequestId(req.lambda.event, req.lambda.context) : undefined
}

function platformRequestId(event: HttpEvent, context: LambdaContext): string {
  const fromEvent = (event.requestContext as { requestId?: unknown } | undefined)?.requestId
  return typeof fromEvent === 'string' ? fromEvent : context.awsRequestId
}

function httpMethod(event: HttpEvent): string {
  return isHttpApiEvent(event) ? event.requestContext.http.method : event.httpMethod
}

function requestPath(event: HttpEvent): string {
  return isHttpApiEvent(event) ? event.rawPath : event.path
}

/**
 * The client address of the invocation as AWS saw it, for login throttling; pass it to createApp as
 * `clientAddressOf`. REST API: `requestContext.identity.sourceIp`; HTTP API and Function URLs:
 * `requestContext.http.sourceIp`; ALB: the last `X-Forwarded-For` entry, the one the load balancer
 * appended itself (entries before it are whatever the client sent). Never a header the client controls.
 */
export function lambdaClientAddress(req: Request): string | undefined {
  const event = req.lambda?.event as AddressedEvent | undefined
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

/** The adapter logs only its own failures (at level "error"); `onError` keeps the failure for the invocation. */
function adapterLog(onError: (error: unknown) => void) {
  const quiet = () => undefined
  return {
    error: (_message: string, error?: unknown) => onError(error ?? new Error('the adapter failed')),
    warn: quiet,
    info: quiet,
    verbose: quiet,
    debug: quiet,
  }
}
