import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import request from 'supertest'
import type { AlbEvent, HttpApiEvent, HttpResult, LambdaContext, RestApiEvent } from '../../app/lambda/events'

/**
 * Lambda event factories for every HTTP source, shaped like the examples in AWS's documentation
 * and carrying each source's quirks: what it decodes, where a stage or base path goes, how it
 * carries repeated headers, query keys and cookies. One request in, one event out.
 */
export interface HttpRequest {
  method: string
  /** As a client sends it: percent-encoded, with its query string. */
  path: string
  /** Header names in any case; an array is a header sent on several lines. */
  headers?: Record<string, string | string[]>
  body?: string
  /** Deliver the body base64-encoded, as API Gateway does for binary media types and ALB for non-text. */
  base64?: boolean
}

/** A response as a client sees it: lower-case header names, a repeated header as an array, the body decoded. */
export interface HttpResponse {
  status: number
  headers: Record<string, string | string[]>
  /** The body as UTF-8 text. */
  body: string
  raw: Buffer
}

export interface EventSource {
  name: string
  toEvent(req: HttpRequest): object
  /** The request id X-Request-Id should carry for this event. */
  requestIdOf(event: object, context: LambdaContext): string
  fromResult(result: HttpResult): HttpResponse
  /** What the source itself cannot carry, so parity cannot hold there. */
  limits: { repeatedQueryKeys?: boolean; repeatedHeaders?: boolean }
  /** What stands in front of the app's paths in the client's URL (a stage, a base path): every URL the app emits starts with it. */
  prefix: string
}

export function lambdaContext(): LambdaContext {
  const awsRequestId = randomUUID()
  return {
    awsRequestId,
    functionName: 'notes-test-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:notes-test-api',
    memoryLimitInMB: '1024',
    logGroupName: '/aws/lambda/notes-test-api',
    logStreamName: '2026/12/01/[$LATEST]0123456789abcdef0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 29_000,
  }
}

interface Parsed {
  pathname: string
  rawQuery: string
  /** Decoded query pairs in order; a repeated key appears once per value. */
  query: [string, string][]
  headers: [string, string][]
  body: string | undefined
}

function parse(req: HttpRequest): Parsed {
  const at = req.path.indexOf('?')
  const pathname = at === -1 ? req.path : req.path.slice(0, at)
  const rawQuery = at === -1 ? '' : req.path.slice(at + 1)
  const query = [...new URLSearchParams(rawQuery)]
  const headers: [string, string][] = [
    ['host', 'notes.example.com'],
    ['user-agent', 'test-client/1.0'],
  ]
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) headers.push([name, one])
  }
  if (req.body !== undefined) headers.push(['content-length', String(Buffer.byteLength(req.body))])
  const body = req.body === undefined ? undefined : req.base64 ? Buffer.from(req.body).toString('base64') : req.body
  return { pathname, rawQuery, query, headers, body }
}

function lastValues(pairs: [string, string][], lowerCase = false): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of pairs) out[lowerCase ? k.toLowerCase() : k] = v
  return out
}

function allValues(pairs: [string, string][], lowerCase = false): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [k, v] of pairs) (out[lowerCase ? k.toLowerCase() : k] ??= []).push(v)
  return out
}

const timeEpoch = Date.UTC(2026, 11, 1, 12, 0, 0)

/**
 * API Gateway REST API, Lambda proxy integration on `ANY /` and `ANY /{proxy+}`. `path` stays encoded
 * and excludes the stage; behind a custom domain it keeps the mapping's base path. Path parameters,
 * query keys and values arrive decoded; repeated ones only in the multi-value maps.
 */
export function restApiEvent(req: HttpRequest, options: { basePath?: string; stage?: string } = {}): RestApiEvent {
  const { pathname, query, headers, body } = parse(req)
  const stage = options.stage ?? 'prod'
  const basePath = options.basePath ?? ''
  const proxy = pathname === '/' ? undefined : decodeURIComponent(pathname.slice(1))
  const resource = proxy === undefined ? '/' : '/{proxy+}'
  return {
    resource,
    path: basePath + pathname,
    httpMethod: req.method,
    headers: lastValues(headers),
    multiValueHeaders: allValues(headers),
    queryStringParameters: query.length ? lastValues(query) : null,
    multiValueQueryStringParameters: query.length ? allValues(query) : null,
    pathParameters: proxy === undefined ? null : { proxy },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: '1234567890',
      domainName: basePath ? 'api.notes.example.com' : '1234567890.execute-api.us-east-1.amazonaws.com',
      domainPrefix: basePath ? 'api' : '1234567890',
      extendedRequestId: 'LgXjUGaJIAMF_Qw=',
      httpMethod: req.method,
      identity: { sourceIp: '192.0.2.10', userAgent: 'test-client/1.0', accountId: null, caller: null, user: null, userArn: null },
      path: basePath ? basePath + pathname : `/${stage}${pathname}`,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTime: '01/Dec/2026:12:00:00 +0000',
      requestTimeEpoch: timeEpoch,
      resourceId: 'abc123',
      resourcePath: resource,
      stage,
    },
    body: body ?? null,
    isBase64Encoded: Boolean(req.base64),
  }
}

/**
 * Payload format 2.0: HTTP APIs and Function URLs. Header names are lower case and repeated values
 * comma-joined; cookies leave the headers for `cookies`. An HTTP API hands `rawPath` over decoded, a
 * named stage in front; a Function URL keeps it encoded and has only `$default`.
 */
function payloadV2(req: HttpRequest, options: { stage: string; decodePath: boolean; domainName: string; requestId: string }): HttpApiEvent {
  const { pathname, rawQuery, query, headers, body } = parse(req)
  const joined: Record<string, string> = {}
  const cookies: string[] = []
  for (const [name, value] of headers) {
    const key = name.toLowerCase()
    if (key === 'cookie') cookies.push(...value.split(/;\s*/))
    else joined[key] = joined[key] === undefined ? value : `${joined[key]},${value}`
  }
  const path = options.decodePath ? decodeURIComponent(pathname) : pathname
  const rawPath = options.stage === '$default' ? path : `/${options.stage}${path}`
  const queryStringParameters: Record<string, string> = {}
  for (const [k, v] of query) queryStringParameters[k] = queryStringParameters[k] === undefined ? v : `${queryStringParameters[k]},${v}`
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: rawQuery,
    ...(cookies.length ? { cookies } : {}),
    headers: joined,
    ...(query.length ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: options.domainName.split('.')[0],
      domainName: options.domainName,
      domainPrefix: options.domainName.split('.')[0],
      http: { method: req.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: 'test-client/1.0' },
      requestId: options.requestId,
      routeKey: '$default',
      stage: options.stage,
      time: '01/Dec/2026:12:00:00 +0000',
      timeEpoch,
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: Boolean(req.base64),
  }
}

let httpApiRequests = 0

/** HTTP API (payload 2.0) on its `$default` route; `stage` other than `$default` appears in `rawPath`. */
export function httpApiEvent(req: HttpRequest, options: { stage?: string } = {}): HttpApiEvent {
  // HTTP API request ids are short base64 strings, not UUIDs.
  const requestId = Buffer.from(`req-${++httpApiRequests}-${randomUUID().slice(0, 4)}`).toString('base64')
  return payloadV2(req, {
    stage: options.stage ?? '$default',
    decodePath: true,
    domainName: 'r3pmxmplak.execute-api.us-east-1.amazonaws.com',
    requestId,
  })
}

/** Lambda Function URL: payload 2.0, path still encoded, stage always `$default`. */
export function functionUrlEvent(req: HttpRequest): HttpApiEvent {
  return payloadV2(req, {
    stage: '$default',
    decodePath: false,
    domainName: 'a2b3c4d5e6f7g8h9.lambda-url.us-east-1.on.aws',
    requestId: randomUUID(),
  })
}

/**
 * Application Load Balancer target group. Path and query are passed as the client sent them (encoded).
 * Without multi-value headers a repeated header or query key keeps only its last value.
 */
export function albEvent(req: HttpRequest, options: { multiValue?: boolean } = {}): AlbEvent {
  const { pathname, rawQuery, headers, body } = parse(req)
  const rawPairs: [string, string][] = rawQuery
    ? rawQuery.split('&').map((pair) => {
        const at = pair.indexOf('=')
        return at === -1 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)]
      })
    : []
  const common = {
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/notes/6d0ecf831eec9f09' } },
    httpMethod: req.method,
    path: pathname,
    body: body ?? '',
    isBase64Encoded: Boolean(req.base64),
  }
  return options.multiValue
    ? { ...common, multiValueQueryStringParameters: allValues(rawPairs), multiValueHeaders: allValues(headers, true) }
    : { ...common, queryStringParameters: lastValues(rawPairs), headers: lastValues(headers, true) }
}

function response(result: HttpResult, headers: Record<string, string | string[]>): HttpResponse {
  const raw = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8')
  return { status: result.statusCode, headers, body: raw.toString(), raw }
}

function fromSingle(headers: Record<string, string> = {}): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v
  return out
}

function fromMulti(headers: Record<string, string[]> = {}): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = k.toLowerCase() === 'set-cookie' ? v : v.join(', ')
  return out
}

const restRequestId = (event: object) => (event as RestApiEvent).requestContext.requestId!
const v2RequestId = (event: object) => (event as HttpApiEvent).requestContext.requestId!

/** Every HTTP source, with the result shape each expects back. */
export const eventSources: EventSource[] = [
  {
    name: 'API Gateway REST API (v1)',
    toEvent: (req) => restApiEvent(req),
    requestIdOf: restRequestId,
    fromResult: (r) => response(r, fromMulti(r.multiValueHeaders)),
    limits: {},
    prefix: '/prod',
  },
  {
    name: 'REST API behind a custom domain with base path /notes',
    toEvent: (req) => restApiEvent(req, { basePath: '/notes' }),
    requestIdOf: restRequestId,
    fromResult: (r) => response(r, fromMulti(r.multiValueHeaders)),
    limits: {},
    prefix: '/notes',
  },
  {
    name: 'HTTP API (v2), $default stage',
    toEvent: (req) => httpApiEvent(req),
    requestIdOf: v2RequestId,
    fromResult: fromV2,
    limits: {},
    prefix: '',
  },
  {
    name: 'HTTP API (v2), stage "beta" in rawPath',
    toEvent: (req) => httpApiEvent(req, { stage: 'beta' }),
    requestIdOf: v2RequestId,
    fromResult: fromV2,
    limits: {},
    prefix: '/beta',
  },
  {
    name: 'Lambda Function URL',
    toEvent: (req) => functionUrlEvent(req),
    requestIdOf: v2RequestId,
    fromResult: fromV2,
    limits: {},
    prefix: '',
  },
  {
    name: 'ALB',
    toEvent: (req) => albEvent(req),
    requestIdOf: (_event, context) => context.awsRequestId,
    fromResult: (r) => response(r, fromSingle(r.headers)),
    limits: { repeatedQueryKeys: true, repeatedHeaders: true },
    prefix: '',
  },
  {
    name: 'ALB with multi-value headers',
    toEvent: (req) => albEvent(req, { multiValue: true }),
    requestIdOf: (_event, context) => context.awsRequestId,
    fromResult: (r) => response(r, fromMulti(r.multiValueHeaders)),
    limits: {},
    prefix: '',
  },
]

function fromV2(r: HttpResult): HttpResponse {
  const headers = fromSingle(r.headers)
  if (r.cookies?.length) headers['set-cookie'] = r.cookies
  return response(r, headers)
}

/** The same request sent over HTTP to a server on 127.0.0.1, as the dev server answers it: the other side of a Lambda comparison. */
export async function sendToServer(server: Server, req: HttpRequest): Promise<HttpResponse> {
  let test = request(server)[req.method.toLowerCase() as 'get'](req.path)
  for (const [name, value] of Object.entries(req.headers ?? {})) test = test.set(name, value as string)
  if (req.body !== undefined) test = test.send(req.body)
  const res = await test.buffer(true).parse((r, done) => {
    const chunks: Buffer[] = []
    r.on('data', (c: Buffer) => chunks.push(c))
    r.on('end', () => done(null, Buffer.concat(chunks)))
  })
  const raw = Buffer.isBuffer(res.body) ? res.body : Buffer.alloc(0)
  return { status: res.status, headers: res.headers, body: raw.toString(), raw }
}

/** Headers that only a socket adds, or that differ per request by design. */
const socketHeaders = ['date', 'connection', 'keep-alive', 'transfer-encoding', 'x-request-id']

/** `text` without the prefix it must start with, or marked where it does not. */
function withoutPrefix(text: string, prefix: string): string {
  return text.startsWith(`${prefix}/`) ? text.slice(prefix.length) : `without ${prefix}: ${text}`
}

/**
 * One side's response with what each side makes its own (ids, tokens, times) replaced by `swap`, so a
 * Lambda answer compares with the dev server's. `prefix` is what the client's URL had in front of the
 * app's paths: a cookie's Path and a Location must start with it.
 */
export function comparable(
  res: HttpResponse,
  { swap, prefix = '', unequalHeaders = [] }: { swap: (text: string) => string; prefix?: string; unequalHeaders?: string[] },
) {
  const ignored = new Set([...socketHeaders, ...unequalHeaders])
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(res.headers)) {
    if (ignored.has(name)) continue
    // One Set-Cookie is a string where the source has single-value headers (ALB), a list elsewhere.
    if (name === 'set-cookie') {
      headers[name] = [value]
        .flat()
        .map((line) =>
          swap(prefix ? line.replace(/; Path=([^;]*)/, (_all, path: string) => `; Path=${withoutPrefix(path, prefix)}`) : line),
        )
    } else headers[name] = Array.isArray(value) ? value.map(swap) : swap(value).replace(/,\s*/g, ',')
  }
  if (typeof headers.location === 'string' && prefix) headers.location = withoutPrefix(headers.location, prefix)
  let body: unknown = swap(res.body)
  if (/json/.test(String(res.headers['content-type'])) && res.body) {
    body = JSON.parse(body as string)
    delete (body as Record<string, unknown>).requestId
  }
  return { status: res.status, headers, body }
}
