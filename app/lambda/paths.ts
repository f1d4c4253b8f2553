import { isAlbEvent, isHttpApiEvent, type HttpEvent, type RestApiEvent } from './events'

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

/**
 * The event as the adapter should see it: its path is the app's path, percent-encoded as the client
 * sent it, with whatever stands in front of the app's routes (a stage, a custom domain's base path) removed.
 */
export function withAppPath<E extends HttpEvent>(event: E): E {
  if (isHttpApiEvent(event))
    return { ...event, rawPath: httpApiPath(event.rawPath, event.requestContext.stage), headers: { ...event.headers } }
  if (isAlbEvent(event)) return { ...event, path: encodePath(event.path), headers: copy(event.headers) }
  // The adapter would route REST events by `pathParameters.proxy`, which is decoded and loses a nested resource's prefix.
  return { ...event, path: restApiPath(event), pathParameters: null, headers: copy(event.headers) }
}

/**
 * HTTP APIs and Function URLs: `rawPath` holds a named stage in front (never the `$default` one), and
 * HTTP APIs hand it over decoded while Function URLs keep it encoded; encodePath serves both.
 */
function httpApiPath(rawPath: string, stage: string | undefined): string {
  let path = rawPath
  if (stage && stage !== '$default') {
    const prefix = `/${stage}`
    if (path === prefix) path = '/'
    else if (path.startsWith(`${prefix}/`)) path = path.slice(prefix.length)
  }
  return encodePath(path)
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
function resourcePath({ resource, pathParameters }: RestApiEvent): string | undefined {
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
