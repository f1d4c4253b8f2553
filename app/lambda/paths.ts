import { HttpError } from '../errors'
import { isAlbEvent, isHttpApiEvent, type AlbEvent, type HttpEvent, type RestApiEvent } from './events'

/** A character that may not stand literally in an encoded path, or a `%` that starts no escape. */
const unsafeInPath = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/gu

/**
 * Percent-encodes what cannot appear literally in an encoded path and leaves the rest, so an
 * encoded path passes unchanged and a decoded one becomes the path the client sent (as far as
 * it can be told: a decoded `%2F` is a `/` for good).
 */
export function encodePath(path: string): string {
  return path.replace(unsafeInPath, function escape(char) {
    try {
      return encodeURIComponent(char)
    } catch {
      return '%EF%BF%BD' // a lone surrogate: what a browser would send in its place
    }
  })
}

/** The event as the adapter should see it, and what the client's URL had in front of the app's paths. */
export interface AppRequest<E extends HttpEvent> {
  event: E
  /** A stage or a custom domain's base path (`/beta`, `/v1`), or `''`; the app puts it in front of the URLs it emits. */
  prefix: string
}

/**
 * The event as the adapter should see it: its path is the app's path, percent-encoded as the client
 * sent it, with whatever stands in front of the app's routes (a stage, a custom domain's base path)
 * removed and returned as `prefix`; its query in the form the adapter reads. Throws a 400 HttpError
 * for a query the adapter could not decode.
 */
export function forApp<E extends HttpEvent>(event: E): AppRequest<E> {
  checkShape(event)
  if (isHttpApiEvent(event)) {
    const { path, prefix } = httpApiPath(event.rawPath, event.requestContext.stage)
    return { event: { ...event, rawPath: path, headers: { ...event.headers } }, prefix }
  }
  if (isAlbEvent(event)) {
    checkAlbQuery(event)
    return { event: { ...event, path: encodePath(event.path), headers: copy(event.headers), ...cookieLinesJoined(event) }, prefix: '' }
  }
  const path = restApiPath(event)
  const query = event.multiValueQueryStringParameters ?? multiValue(event.queryStringParameters)
  return {
    // The adapter would route REST events by `pathParameters.proxy`, which is decoded and loses a nested resource's
    // prefix; it reads the query only from the multi-value map, which some tools and older integrations leave null.
    event: {
      ...event,
      path,
      pathParameters: null,
      multiValueQueryStringParameters: query,
      headers: copy(event.headers),
      ...cookieLinesJoined(event),
    },
    prefix: restApiPrefix(event, path),
  }
}

/**
 * An event that names no method or path is none the function can answer: a 400 (in the shape of the
 * source it claims to come from), not a failure of the function.
 */
function checkShape(event: HttpEvent): void {
  const fields = event as {
    version?: unknown
    rawPath?: unknown
    httpMethod?: unknown
    path?: unknown
    requestContext?: { http?: { method?: unknown } }
  }
  const wellFormed =
    fields.version === '2.0'
      ? typeof fields.rawPath === 'string' && typeof fields.requestContext?.http?.method === 'string'
      : typeof fields.httpMethod === 'string' && typeof fields.path === 'string'
  if (!wellFormed) throw new HttpError(400, 'Bad Request', { detail: 'The event names no HTTP method and path this function can answer' })
}

/**
 * REST and ALB events carry a header sent on several lines in `multiValueHeaders`, which the adapter
 * joins with `,`. Cookie lines are joined with `; ` instead (RFC 9113 section 8.2.3: HTTP/2 clients send
 * each cookie on a line of its own), or the cookie after the first line would be read as part of its value.
 */
function cookieLinesJoined(event: RestApiEvent | AlbEvent): { multiValueHeaders?: Record<string, string[]> } {
  const lines = event.multiValueHeaders as Record<string, string[] | undefined> | null | undefined
  if (!lines || typeof lines !== 'object') return {}
  const cookieNames = Object.keys(lines).filter((name) => name.toLowerCase() === 'cookie')
  const cookies = cookieNames.flatMap((name) => lines[name] ?? [])
  if (cookies.length < 2) return {}
  const others = Object.fromEntries(Object.entries(lines).filter(([name]) => name.toLowerCase() !== 'cookie')) as Record<string, string[]>
  return { multiValueHeaders: { ...others, cookie: [cookies.join('; ')] } }
}

/** forApp's event alone. */
export function withAppPath<E extends HttpEvent>(event: E): E {
  return forApp(event).event
}

/**
 * HTTP APIs and Function URLs: `rawPath` holds a named stage in front (never the `$default` one), and
 * HTTP APIs hand it over decoded while Function URLs keep it encoded; encodePath serves both.
 */
function httpApiPath(rawPath: string, stage: string | undefined): { path: string; prefix: string } {
  if (stage && stage !== '$default') {
    const prefix = `/${stage}`
    if (rawPath === prefix) return { path: '/', prefix }
    if (rawPath.startsWith(`${prefix}/`)) return { path: encodePath(rawPath.slice(prefix.length)), prefix }
  }
  return { path: encodePath(rawPath), prefix: '' }
}

/**
 * REST APIs: the client's URL is `requestContext.path` (with the stage on an execute-api URL, with the
 * base path behind a custom domain), and `appPath` is its tail.
 */
function restApiPrefix(event: RestApiEvent, appPath: string): string {
  const full = typeof event.requestContext.path === 'string' ? event.requestContext.path : event.path
  const prefix = appPath === '/' ? full.replace(/\/$/, '') : full.endsWith(appPath) ? full.slice(0, -appPath.length) : ''
  return /^(\/[^/?#]+)+$/.test(prefix) ? prefix : ''
}

/** A REST event's single-value query map as the multi-value one (null stays null). */
function multiValue(query: unknown): Record<string, string[]> | null {
  if (!query || typeof query !== 'object') return null
  const out: Record<string, string[]> = {}
  for (const [key, value] of Object.entries(query as Record<string, unknown>)) if (typeof value === 'string') out[key] = [value]
  return out
}

/**
 * ALB hands the query over as the client sent it, and the adapter decodes each key and value with
 * decodeURIComponent, which throws on a stray `%` or broken UTF-8. That is the client's mistake: a 400.
 */
function checkAlbQuery(event: AlbEvent): void {
  const single = event.queryStringParameters as Record<string, string> | null | undefined
  const multi = event.multiValueQueryStringParameters as Record<string, string[]> | null | undefined
  const parts = [...Object.entries(single ?? {}).flat(), ...Object.entries(multi ?? {}).flat(2)]
  if (parts.every((part) => typeof part !== 'string' || decodable(part.replace(/\+/g, '%20')))) return
  throw new HttpError(400, 'Bad Request', { detail: 'The query string is not validly percent-encoded' })
}

function decodable(text: string): boolean {
  try {
    decodeURIComponent(text)
    return true
  } catch {
    return false
  }
}

/**
 * REST APIs: `path` is encoded but keeps a custom domain's base path in front; the matched `resource`
 * with its (decoded) path parameters is the app's path. The tail of `path` that decodes to it is
 * taken, so the encoding the client chose survives.
 */
function restApiPath(event: RestApiEvent): string {
  const appPath = resourcePath(event)
  if (appPath === undefined) return encodePath(event.path)
  const segments = appPath.split('/').length - 1
  const tail = `/${event.path.split('/').slice(-segments).join('/')}`
  return safeDecode(tail) === appPath ? tail : encodePath(appPath)
}

/** A path parameter fills a whole segment: `{id}`, or `{proxy+}` for the rest of the path. */
const parameterSegment = /^\{([^{}+]+)\+?\}$/

/**
 * `/{proxy+}` with `proxy: "api/notes"` gives `/api/notes`; undefined when a parameter is missing.
 * Segment by segment, so the work grows with the length of the resource, whatever it holds.
 */
export function resourcePath({ resource, pathParameters }: RestApiEvent): string | undefined {
  if (!resource?.startsWith('/')) return undefined
  const segments: string[] = []
  for (const segment of resource.split('/')) {
    const name = parameterSegment.exec(segment)?.[1]
    if (name === undefined) {
      segments.push(segment)
      continue
    }
    const value = pathParameters?.[name]
    if (value === undefined) return undefined
    segments.push(value)
  }
  return segments.join('/')
}

function safeDecode(path: string): string | undefined {
  try {
    return decodeURIComponent(path)
  } catch {
    return undefined
  }
}

/** The adapter writes `content-length` into the headers it is given; the caller's event stays as it was. */
function copy(headers: unknown): unknown {
  return headers && typeof headers === 'object' ? { ...headers } : headers
}
