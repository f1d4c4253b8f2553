import alb from '@codegenie/serverless-express/src/event-sources/aws/alb'
import restApi from '@codegenie/serverless-express/src/event-sources/aws/api-gateway-v1'
import httpApi from '@codegenie/serverless-express/src/event-sources/aws/api-gateway-v2'
import ServerlessRequest from '@codegenie/serverless-express/src/request'
import ServerlessResponse from '@codegenie/serverless-express/src/response'
import type { Request, Response } from 'express'
import { isBinaryResponse } from './binary'
import { isAlbEvent, isHttpApiEvent, type HttpEvent, type HttpResult } from './events'

/**
 * What @vendia/serverless-express knows of one HTTP source Lambda has (REST API, HTTP API and Function
 * URLs, ALB): how its event becomes the method, path, headers and body the app receives, and how the
 * app's answer becomes the result that source expects (cookies, repeated headers, single-value ALBs).
 * Both Lambda entries read events through these, so a path, query, cookie or body means the same in each.
 * Only these three are loaded: the adapter's own entry requires every source it knows (SQS, Kafka, Azure
 * and the rest) and a logger, and builds its whole configuration on every call.
 */
export type EventSource = typeof httpApi

export function eventSourceOf(event: HttpEvent): EventSource {
  return isHttpApiEvent(event) ? httpApi : isAlbEvent(event) ? alb : restApi
}

/**
 * The request and response the app is handed for `event` (already the app's event, see paths.ts): a
 * Node `IncomingMessage` holding the whole body and a `ServerResponse` that collects what the app
 * writes, so streams, `pipe`, `sendFile` and `render` behave as on the dev server.
 */
export function exchangeFor(source: EventSource, event: HttpEvent): { request: Request; response: Response } {
  const { path, ...values } = source.getRequest({ event })
  const request = new ServerlessRequest({ ...values, url: path }) as unknown as Request
  const response = new ServerlessResponse(request) as unknown as Response
  return { request, response }
}

/** The result for the event's source: status, headers and the collected body (base64 when binary, see binary.ts). */
export function resultOf(source: EventSource, event: HttpEvent, response: Response): HttpResult {
  const headers = ServerlessResponse.headers(response)
  const isBase64Encoded = isBinaryResponse({ headers })
  const body = ServerlessResponse.body(response).toString(isBase64Encoded ? 'base64' : 'utf8')
  return source.getResponse({ event, statusCode: response.statusCode, body, headers, isBase64Encoded, response }) as HttpResult
}
