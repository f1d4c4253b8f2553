import ServerlessResponse from '@codegenie/serverless-express/src/response'
import type { Request, Response } from 'express'
import { HttpError } from '../errors'
import { isBinaryResponse } from './binary'
import { isAlbEvent, type HttpEvent } from './events'

/**
 * The largest result a buffered invocation may return, as the JSON the function hands Lambda: Lambda
 * refuses a synchronous response over 6 MB, and an ALB takes at most 1 MB from a Lambda target.
 */
export const bufferedLimits = { lambda: 6 * 1024 * 1024, alb: 1024 * 1024 }

/** The status of the problem that replaces an answer over the limit (see tooLargeProblem). */
const tooLargeStatus = 502

/** What became of the app's answer in a buffered invocation, as far as the handler must know. */
export interface BufferedAnswer {
  /** Set when the answer finished over the limit: at least `bytes` of result, the `limit`, and the status the app gave it. */
  tooLarge?: { bytes: number; limit: number; status: number }
  /** Set when the app ended its connection before the answer finished (an error after its first byte). */
  brokeOff: boolean
}

/**
 * Watches the app's answer in a buffered invocation (handler.ts), from before the app runs:
 * - Its size, counted as the app writes it, with the growth Lambda will see: base64 for a binary body
 *   (binary.ts), JSON escapes for a text one, the headers' envelope. Past the limit the rest of the body
 *   is dropped as it arrives: the answer will be replaced, and an 80 MB download must not sit in the
 *   function's memory to be refused (or to run it out of memory, which would fail silently).
 * - At 'finish', before the access log reads the status (this listener is the first), an answer over the
 *   limit takes the status of the problem that replaces it: the log records what the client gets.
 * - The adapter's connection cannot be closed: an app that destroys it (Express does, on an error after
 *   the first byte) leaves the adapter waiting for 'finish' forever. Destroying it closes the response
 *   instead, as a socket would, so the access log has its line, and calls `onBrokeOff`: the handler
 *   answers its 500 problem at once (nothing of a buffered answer has left) rather than at the timeout.
 */
export function watchAnswer(event: HttpEvent, request: Request, response: Response, onBrokeOff: () => void): BufferedAnswer {
  const limit = isAlbEvent(event) ? bufferedLimits.alb : bufferedLimits.lambda
  const answer: BufferedAnswer = { brokeOff: false }
  let written = 0
  // A body that fits however it grows (six bytes a byte at worst, a control character JSON-escaped), with
  // an eighth of the limit to spare for status and headers, needs no measuring: nearly every answer.
  const surelyFits = () => 6 * written + limit / 8 <= limit
  const lowerBound = () => envelope(response) + (isBinaryResponse({ headers: response.getHeaders() }) ? base64Length(written) : written)

  const write = response.write.bind(response) as (...args: unknown[]) => boolean
  const end = response.end.bind(response) as (...args: unknown[]) => Response
  const count = (chunk: unknown, encoding: unknown) => {
    if (typeof chunk === 'string') written += Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
    else if (chunk instanceof Uint8Array) written += chunk.length
  }
  response.write = function countedWrite(chunk: unknown, ...rest: unknown[]) {
    count(chunk, rest[0])
    return write(chunk, ...rest)
  } as Response['write']
  response.end = function countedEnd(chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'function') count(chunk, rest[0])
    return end(chunk, ...rest)
  } as Response['end']

  // The adapter collects the body through its connection's write; past the limit there is nothing to keep.
  const collector = response.socket as unknown as { write(data: unknown, encoding?: unknown, done?: unknown): unknown }
  const collect = collector.write.bind(collector)
  collector.write = (data: unknown, encoding?: unknown, done?: unknown) => {
    if (surelyFits() || lowerBound() <= limit) return collect(data, encoding, done)
    const callback = typeof encoding === 'function' ? encoding : done
    if (typeof callback === 'function') (callback as () => void)()
    return true
  }

  for (const connection of [request.socket, response.socket] as unknown as { destroy(): void }[]) {
    connection.destroy = () => {
      if (response.writableFinished || answer.brokeOff) return
      answer.brokeOff = true
      // The client gets the handler's 500 problem, and the access log says so.
      response.statusCode = 500
      response.emit('close')
      onBrokeOff()
    }
  }

  response.prependOnceListener('finish', () => {
    const bodiless = request.method === 'HEAD' || response.statusCode === 204 || response.statusCode === 304
    if (bodiless || surelyFits()) return
    const bytes = resultBytes(response, written, lowerBound(), limit)
    if (bytes <= limit) return
    answer.tooLarge = { bytes, limit, status: response.statusCode }
    response.statusCode = tooLargeStatus
  })
  return answer
}

/** The problem that replaces an answer over the limit: what happened, and where the answer can be had. */
export function tooLargeProblem({ bytes, limit }: { bytes: number; limit: number }): HttpError {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`
  return new HttpError(tooLargeStatus, 'Bad Gateway', {
    detail:
      `The answer is at least ${mb(bytes)}, more than this endpoint can return ` +
      `(a buffered Lambda response carries at most ${mb(limit)}). Request it through the streaming origin ` +
      `(the site's own URL, for the routes it streams), which has no such limit.`,
  })
}

/**
 * The result's size as Lambda counts it. Below the limit by the lower bound, a text body can still
 * cross it through JSON escapes (a quote becomes two bytes, a control character up to six); only then,
 * and only for a body large enough for that to matter, the collected body is escaped and measured.
 */
function resultBytes(response: Response, written: number, lowerBound: number, limit: number): number {
  if (lowerBound > limit || isBinaryResponse({ headers: response.getHeaders() })) return lowerBound
  if (lowerBound + 5 * written <= limit) return lowerBound
  const body = ServerlessResponse.body(response).toString('utf8')
  return envelope(response) + Buffer.byteLength(JSON.stringify(body)) - 2
}

/** The result's JSON without its body, headers as multi-value lists: never smaller than what the adapter returns. */
function envelope(response: Response): number {
  const headers = Object.fromEntries(Object.entries(response.getHeaders()).map(([name, value]) => [name, [value].flat().map(String)]))
  return Buffer.byteLength(
    JSON.stringify({ statusCode: response.statusCode, body: '', isBase64Encoded: false, multiValueHeaders: headers }),
  )
}

function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4
}
