import type { Express, Request } from 'express'
import http, { type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { HttpError, serverError } from '../errors'
import type { Logger } from '../logger'
import { connectionPair } from './connection'
import { eventSourceOf, type EventSource } from './event-source'
import { isHttpApiEvent, type HttpEvent, type LambdaContext } from './events'
import { httpMethod, platformRequestId, requestPath } from './handler'
import { forApp } from './paths'
import { problemResult } from './problem'
import { lambdaRuntime, type HttpPrelude, type LambdaRuntime, type ResponseStream, type StreamingHandler } from './runtime'

export type StreamHandler = StreamingHandler<HttpEvent, LambdaContext>

/** What one invocation's request carries into the app: the event and context, and the prefix of the client's URL. */
interface Invocation {
  event: HttpEvent
  context: LambdaContext
  prefix: string
  /** Set when Node's HTTP server refused the request as malformed, before the app saw it. */
  refused?: Error
  /** Set when the app got the request: its access log has the request's line then. */
  appRan?: boolean
}

/** Headers that describe one connection, not the message: never carried from the event, nor into the prelude. */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect'])

/** Headers as large as an event may hold (Lambda takes 6 MB), not Node's 16 KB default. */
const maxHeaderSize = 6 * 1024 * 1024

/**
 * The app through Lambda response streaming (Function URLs with `InvokeMode: RESPONSE_STREAM`, REST APIs
 * whose integration has `ResponseTransferMode: STREAM`): the same events as `handler` (paths.ts and the
 * adapter's own request mapping read them, so paths, prefixes, query, cookies and bodies mean the same),
 * but the body leaves as the app writes it. The request goes to Node's own HTTP server over a connection
 * held in memory (connection.ts), so `res.write`, `res.flush`, `pipe`, `sendFile` and `render` behave
 * exactly as on the dev server; the answer is read back with Node's HTTP client and relayed:
 * - the prelude (status, headers, every Set-Cookie) goes out as soon as the app sends its headers;
 * - each chunk is written when the one before it has left: a slow client holds the app back (its
 *   `res.write` answers false and it gets `drain` later), nothing piles up in memory;
 * - when Lambda closes the response stream (its `close` or `error`) the connection to the app is
 *   closed, so the route sees `close` and can stop;
 * - an error after the first byte (the app's connection reset) is logged with the request id and
 *   fails the invocation, so the runtime ends the stream as failed rather than as a whole answer;
 * - a failure before the first byte answers the problem+json `handler` would.
 * Each invocation's state lives in its own closure and on its request (`req.lambda`), so many may run
 * at once in one process. Build it once per container, beside `handler`, on the same app.
 * @example export const streamHandler = createStreamHandler(app, logger)
 */
export function createStreamHandler(app: Express, logger: Logger, runtime: LambdaRuntime | undefined = lambdaRuntime()): StreamHandler {
  const invocations = new WeakMap<object, Invocation>()
  const server = http.createServer({ maxHeaderSize }, function invoked(incoming, res) {
    const invocation = invocations.get(incoming.socket)!
    const { event, context, prefix } = invocation
    invocation.appRan = true
    const req = incoming as Request
    req.lambda = { event, context }
    if (prefix) req.pathPrefix = prefix
    app(req, res)
  })
  server.on('clientError', (error: Error, socket: Duplex) => {
    const invocation = invocations.get(socket)
    if (invocation) invocation.refused = error
    socket.destroy()
  })

  if (!runtime) return outsideTheRuntime
  const { HttpResponseStream } = runtime

  return runtime.streamifyResponse(async function streamHandler(event, responseStream, context) {
    const requestId = platformRequestId(event, context)
    let answer: IncomingMessage
    let invocation: Invocation | undefined
    const [client, serverEnd] = connectionPair()
    try {
      const { event: appEvent, prefix } = forApp(event)
      const request = requestValues(appEvent)
      invocation = { event, context, prefix }
      // What the adapter's request says of the connection: the client's address, and that it came over TLS.
      Object.assign(serverEnd, { remoteAddress: request.remoteAddress, encrypted: true })
      invocations.set(serverEnd, invocation)
      server.emit('connection', serverEnd)
      answer = await send(client, request)
    } catch (error) {
      client.destroy()
      const refused = invocation?.refused ?? (isMalformed(error) ? error : undefined)
      const problem =
        error instanceof HttpError
          ? error
          : refused
            ? new HttpError(400, 'Bad Request', { detail: 'The request’s URL or headers are not valid HTTP' })
            : serverError(error)
      if (problem.status >= 500) logger.error('lambda stream failed', { requestId, error })
      if (!invocation?.appRan)
        logger.info('request', { requestId, method: httpMethod(event), path: requestPath(event), status: problem.status })
      const problemStream = HttpResponseStream.from(responseStream, problemPrelude(event, problem, requestId))
      problemStream.write(problemResult(event, problem, requestId).body)
      return ended(problemStream)
    }
    const stream = HttpResponseStream.from(responseStream, preludeOf(event, answer))
    // An empty write sends the prelude now: the headers leave with the app's, and an empty body still has them.
    stream.write(new Uint8Array(0))
    try {
      const { sent, clientGone } = await relay(answer, stream)
      if (clientGone) logger.info('response stream closed by Lambda before the end', { requestId, bytesSent: sent })
    } catch (error) {
      logger.error('streamed answer broke off after its first bytes', { requestId, status: answer.statusCode, error })
      throw error
    } finally {
      client.destroy()
    }
  })
}

/** Outside the Lambda runtime (the dev server, a test importing lambda.ts) there is nothing to stream to. */
function outsideTheRuntime(): Promise<void> {
  return Promise.reject(new Error('streamHandler runs in the Lambda runtime, which provides the awslambda global'))
}

/** The method, path, headers and body `handler` would hand the app for this event (event-source.ts). */
function requestValues(event: HttpEvent): RequestValues {
  return eventSourceOf(event).getRequest({ event })
}

type RequestValues = ReturnType<EventSource['getRequest']>

/** Sends the request over `connection` with Node's HTTP client; resolves with the answer once its headers are in. */
function send(connection: Duplex, { method, path, headers, body }: RequestValues): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing: Record<string, string> = {}
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined && !hopByHop.has(name) && name !== 'content-length') outgoing[name] = String(value)
    }
    if (body?.length) outgoing['content-length'] = String(body.length)
    const request = http.request({ createConnection: () => connection, method, path, headers: outgoing, maxHeaderSize }, resolve)
    request.on('error', reject)
    request.end(body)
  })
}

/** What Node's HTTP client throws for a URL or header it cannot send: the event's fault, not the app's. */
function isMalformed(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ERR_UNESCAPED_CHARACTERS' || code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN'
}

/**
 * The prelude for the event's source: status and headers (repeated values joined) for both; the
 * Set-Cookie lines as `cookies` for a Function URL (payload 2.0, which ignores `multiValueHeaders`), as
 * `multiValueHeaders` for a REST API (which reads the v1 response fields). Hop-by-hop headers of the
 * in-memory connection stay out: Lambda frames the stream itself.
 */
function preludeOf(event: HttpEvent, answer: { statusCode?: number; headersDistinct: Record<string, string[] | undefined> }): HttpPrelude {
  const headers: Record<string, string> = {}
  let cookies: string[] = []
  for (const [name, values] of Object.entries(answer.headersDistinct)) {
    if (values === undefined || hopByHop.has(name)) continue
    if (name === 'set-cookie') cookies = values
    else headers[name] = values.join(', ')
  }
  const prelude: HttpPrelude = { statusCode: answer.statusCode ?? 500, headers }
  if (cookies.length === 0) return prelude
  return isHttpApiEvent(event) ? { ...prelude, cookies } : { ...prelude, multiValueHeaders: { 'set-cookie': cookies } }
}

/**
 * Relays the answer's body to the response stream, a chunk at a time, each written once the stream has
 * room. Resolves when it is all written and the stream ended, or when Lambda closed the stream first
 * (`clientGone`: the answer is then destroyed, which closes the app's connection). Rejects when the
 * answer broke off (the app's connection reset after the first byte).
 */
async function relay(answer: IncomingMessage, stream: ResponseStream): Promise<{ sent: number; clientGone: boolean }> {
  let sent = 0
  let clientGone = false
  const gone = () => {
    if (stream.writableFinished) return
    clientGone = true
    answer.destroy()
  }
  const goneWithError = () => gone()
  stream.on('close', gone)
  stream.on('error', goneWithError)
  try {
    for await (const chunk of answer) {
      sent += (chunk as Buffer).length
      if (!stream.write(chunk as Buffer)) await drained(stream)
      if (clientGone) break
    }
    if (!clientGone) await ended(stream)
    return { sent, clientGone }
  } catch (error) {
    if (clientGone) return { sent, clientGone }
    throw error
  } finally {
    stream.off('close', gone)
    stream.off('error', goneWithError)
  }
}

/** Resolves when the stream has room again, or has closed. */
function drained(stream: ResponseStream): Promise<void> {
  if (stream.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done)
      stream.off('close', done)
      stream.off('error', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('close', done)
    stream.on('error', done)
  })
}

/** Ends the stream and resolves when its last bytes have left (or it closed). */
function ended(stream: ResponseStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('finish', done)
      stream.off('close', done)
      resolve()
    }
    stream.on('finish', done)
    stream.on('close', done)
    stream.end()
  })
}

/** The prelude of the problem+json `handler` would answer for the same failure (its body is problemResult's). */
function problemPrelude(event: HttpEvent, error: HttpError, requestId: string): HttpPrelude {
  const result = problemResult(event, error, requestId)
  const headers = result.headers ?? result.multiValueHeaders ?? {}
  const headersDistinct = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value].flat()]))
  return preludeOf(event, { statusCode: result.statusCode, headersDistinct })
}
