/**
 * The fields of Lambda's HTTP events this app reads, for the sources it is deployed behind:
 * API Gateway REST (v1 proxy), HTTP API (payload 2.0), Function URLs (the same 2.0 shape) and ALB.
 */
export interface RestApiEvent {
  resource?: string
  path: string
  httpMethod: string
  pathParameters?: Record<string, string | undefined> | null
  requestContext: { requestId?: string; stage?: string; [key: string]: unknown }
  [key: string]: unknown
}

export interface HttpApiEvent {
  version: '2.0'
  rawPath: string
  rawQueryString?: string
  headers?: Record<string, string | undefined>
  requestContext: { requestId?: string; stage?: string; http: { method: string; [key: string]: unknown }; [key: string]: unknown }
  [key: string]: unknown
}

export interface AlbEvent {
  path: string
  httpMethod: string
  requestContext: { elb: { targetGroupArn: string } }
  [key: string]: unknown
}

export type HttpEvent = RestApiEvent | HttpApiEvent | AlbEvent

/** The subset of the Lambda context the app reads. */
export interface LambdaContext {
  awsRequestId: string
  [key: string]: unknown
}

/** What each source expects back; the adapter fills whichever fields its source uses. */
export interface HttpResult {
  statusCode: number
  body: string
  isBase64Encoded: boolean
  headers?: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  cookies?: string[]
}

export function isHttpApiEvent(event: HttpEvent): event is HttpApiEvent {
  return (event as HttpApiEvent).version === '2.0' && typeof (event as HttpApiEvent).rawPath === 'string'
}

export function isAlbEvent(event: HttpEvent): event is AlbEvent {
  return (event as AlbEvent).requestContext?.elb !== undefined
}
