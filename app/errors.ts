import { STATUS_CODES } from 'node:http'
import type { ErrorRequestHandler, RequestHandler, Response } from 'express'
import type { Logger } from './logger'

export interface FieldError {
  path: string
  message: string
}

interface HttpErrorOptions {
  detail?: string
  errors?: FieldError[]
  headers?: Record<string, string>
  cause?: unknown
}

/**
 * The one error type routes throw. Errors below 500 are shown to the client as they are;
 * a 5xx shows only its title, and what caused it goes to the log.
 * @example throw new HttpError(404, 'Not Found', { detail: 'No note with this id' })
 */
export class HttpError extends Error {
  override name = 'HttpError'
  readonly detail?: string
  readonly errors?: FieldError[]
  readonly headers: Record<string, string>

  constructor(
    readonly status: number,
    readonly title: string,
    options: HttpErrorOptions = {},
  ) {
    super(options.detail ?? title, { cause: options.cause })
    this.detail = options.detail
    this.errors = options.errors
    this.headers = options.headers ?? {}
  }
}

/** A problem lists at most this many field errors: a body of many bad keys must not earn a larger answer. */
export const maxListedErrors = 20

/**
 * The RFC 9457 body for an error: its title and detail, the request id, and the first
 * `maxListedErrors` field errors with `errorCount` saying how many there were when that is more.
 */
export function problemBody(error: HttpError, requestId: string | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: 'about:blank',
    title: error.title,
    status: error.status,
    detail: error.detail ?? error.title,
    requestId,
  }
  if (error.errors) {
    body.errors = error.errors.slice(0, maxListedErrors)
    if (error.errors.length > maxListedErrors) {
      body.errorCount = error.errors.length
      body.detail = `${String(body.detail)}: ${error.errors.length} problems; the first ${maxListedErrors} are listed`
    }
  }
  return body
}

/** Writes an RFC 9457 problem. `res.json` keeps the problem+json type set before it. */
export function sendProblem(res: Response, error: HttpError): void {
  res.set(error.headers).status(error.status).type('application/problem+json').json(problemBody(error, res.req.id))
}

/** Terminal handler for requests no route took. It must stay terminal: the Lambda adapter needs every request answered. */
export const notFound: RequestHandler = function notFound(req, _res, next) {
  next(new HttpError(404, 'Not Found', { detail: `No route for ${req.method} ${req.path}` }))
}

/** body-parser's errors carry a `type`; these are the ones a client causes, with the words we show for them. */
const bodyErrors: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'Bad Request', 'The request body is not valid JSON'],
  'entity.too.large': [413, 'Content Too Large', 'The request body is larger than 100 KB'],
  'entity.verify.failed': [400, 'Bad Request', 'The request body could not be verified'],
  'request.aborted': [400, 'Bad Request', 'The request was aborted before its body arrived'],
  'request.size.invalid': [400, 'Bad Request', 'The request body does not match its Content-Length'],
  'charset.unsupported': [415, 'Unsupported Media Type', 'Send the body as UTF-8 JSON'],
  'encoding.unsupported': [415, 'Unsupported Media Type', 'Unsupported Content-Encoding'],
  'parameters.too.many': [413, 'Content Too Large', 'Too many parameters'],
}

/**
 * The only place that writes error responses. Known errors keep their status; anything else is
 * logged with the request id and becomes a bare 500, so no stack or internal message reaches a client.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return function errorHandler(err, req, res, next) {
    if (res.headersSent) {
      // A streamed answer failed after its first bytes: its status has left, so Express ends the connection
      // and the client sees the body cut short; what caused it is only here.
      const cause: unknown = err instanceof HttpError ? (err.cause ?? err) : err
      logger.error('error after the response started', {
        requestId: req.id,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        error: cause,
      })
      return next(err)
    }
    const error = toHttpError(err)
    if (error.status >= 500) {
      const cause: unknown = error === err ? error.cause : err
      logger[error.status === 503 ? 'warn' : 'error'](error.status === 503 ? 'dependency unavailable' : 'unhandled error', {
        requestId: req.id,
        method: req.method,
        path: req.path,
        status: error.status,
        error: cause ?? error,
      })
    }
    sendProblem(res, error)
  }
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err
  const type = (err as { type?: unknown } | null)?.type
  if (typeof type === 'string' && type in bodyErrors) {
    const [status, title, detail] = bodyErrors[type]
    return new HttpError(status, title, { detail })
  }
  // Other middleware's client errors (http-errors style: a 4xx `status`, `expose` not false), such as
  // the router's URIError for a badly percent-encoded path: keep the status, not the message.
  const status = (err as { status?: unknown } | null)?.status
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: unknown }).expose !== false) {
    const detail = err instanceof URIError ? 'The URL is not validly percent-encoded' : (STATUS_CODES[status] ?? 'Bad Request')
    return new HttpError(status, STATUS_CODES[status] ?? 'Bad Request', { detail })
  }
  return serverError()
}

/** The 500 a client sees for anything unexpected: nothing of `cause`, which is for the log. */
export function serverError(cause?: unknown): HttpError {
  return new HttpError(500, 'Internal Server Error', {
    detail: 'Something went wrong on our side; quote the request id if you report it',
    cause,
  })
}
