import type { Express, Request, Response } from 'express'
import { HttpError, serverError } from '../errors'
import type { Logger } from '../logger'
import { tooLargeProblem, watchAnswer, type BufferedAnswer } from './buffered-answer'
import { eventSourceOf, exchangeFor, resultOf } from './event-source'
import { isHttpApiEvent, type HttpEvent, type HttpResult, type LambdaContext } from './events'
import { forApp } from './paths'
import { problemResult } from './problem'

export type LambdaHandler = (event: HttpEvent, context: LambdaContext) => Promise<HttpResult>

/**
 * The app behind every HTTP source Lambda has (REST API, HTTP API, Function URL, ALB), answering
 * buffered: the event, with the app's own path put into it (see paths.ts), becomes the request the app
 * is handed, and the prefix the client's URL had in front of it goes on the request (`req.pathPrefix`);
 * once the app has finished its answer, what it wrote becomes the result for the event's source
 * (event-source.ts, the mappings of @vendia/serverless-express).
 * Whatever fails in or around the app still answers a problem+json with the request id,
 * helmet's headers and a log line: 400 when the event was at fault, else 500. An answer larger than a
 * buffered result can be (Lambda's 6 MB, an ALB's 1 MB) is a 502 problem that says so, logged with
 * the request id and the size, never the empty 502 API Gateway gives when Lambda refuses it (see
 * buffered-answer.ts); `streamHandler` (stream-handler.ts) has no such limit.
 *
 * Lambda may run many invocations at once in one process (Managed Instances), so nothing of one
 * invocation is kept outside it: the event and context travel on the request (`req.lambda`), where
 * {@link lambdaRequestId} and {@link lambdaClientAddress} read them.
 * Build it once per container; each call answers one invocation.
 * @example export const handler = createLambdaHandler(createApp(deps), logger)
 */
export function createLambdaHandler(app: Express, logger: Logger): LambdaHandler {
  return async function handler(event, context) {
    let appRan = false
    try {
      const { event: appEvent, prefix } = forApp(event)
      const source = eventSourceOf(appEvent)
      const { request, response } = exchangeFor(source, appEvent)
      request.lambda = { event, context }
      if (prefix) request.pathPrefix = prefix
      appRan = true
      const { answer, finished } = await answered(app, event, request, response)
      if (answer.brokeOff || !finished) throw new Error('the app ended its answer before it finished')
      if (answer.tooLarge) {
        const requestId = platformRequestId(event, context)
        logger.error('answer too large for a buffered response', { requestId, ...answer.tooLarge })
        return problemResult(event, tooLargeProblem(answer.tooLarge), requestId)
      }
      return resultOf(source, appEvent, response)
    } catch (failure) {
      const requestId = platformRequestId(event, context)
      const error = failure instanceof HttpError ? failure : serverError(failure)
      if (error.status >= 500) logger.error('lambda adapter failed', { requestId, error: failure })
      // The app's access log has its line already when the failure came after it answered.
      if (!appRan) logger.info('request', { requestId, method: httpMethod(event), path: requestPath(event), status: error.status })
      return problemResult(event, error, requestId)
    }
  }
}

/**
 * Hands the request to the app and settles when its answer has finished (`finished`), or has broken
 * off or closed before that (see watchAnswer). The request's body is whole from the start; once the
 * answer is done, the request is marked read, as a server marks a request whose connection is done with.
 */
function answered(
  app: Express,
  event: HttpEvent,
  request: Request,
  response: Response,
): Promise<{ answer: BufferedAnswer; finished: boolean }> {
  return new Promise((resolve) => {
    let finished = false
    const done = () => {
      Object.assign(request, { complete: true, readable: false })
      resolve({ answer, finished })
    }
    const answer = watchAnswer(event, request, response, done)
    response.once('finish', () => {
      finished = true
      done()
    })
    response.once('close', done)
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

/** The id API Gateway gave the request, or else the Lambda invocation's (ALB has none of its own). */
export function platformRequestId(event: HttpEvent, context: LambdaContext): string {
  const fromEvent = (event.requestContext as { requestId?: unknown } | undefined)?.requestId
  return typeof fromEvent === 'string' ? fromEvent : context.awsRequestId
}

export function httpMethod(event: HttpEvent): string {
  return isHttpApiEvent(event) ? event.requestContext.http.method : event.httpMethod
}

export function requestPath(event: HttpEvent): string {
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
