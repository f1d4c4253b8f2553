/** One entry of a problem's `errors`: `path` names the input, such as `body.title` or `body.tags.2`. */
export interface FieldError {
  path: string
  message: string
}

/**
 * A failed API call, in words a person can read: the problem's `detail` (RFC 9457), its field
 * errors, and the request id to quote. Status 0 means the server could not be reached.
 */
export class ApiError extends Error {
  override name = 'ApiError'

  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldError[] = [],
    readonly requestId?: string,
  ) {
    super(message)
  }
}

const fallbackMessages: Record<number, string> = {
  0: 'Could not reach the server. Check your connection and try again.',
  401: 'Please sign in again.',
  404: 'Not found.',
  412: 'This note was changed elsewhere.',
  413: 'This is too large to save.',
  429: 'Too many requests. Wait a moment and try again.',
  503: 'The service is busy. Try again in a moment.',
}

/** Turns an error response into an ApiError; a body that is not a problem still gives a sentence. */
export async function problemOf(res: Response): Promise<ApiError> {
  const fallback = fallbackMessages[res.status] ?? `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`
  let problem: Record<string, unknown> = {}
  if (/json/i.test(res.headers.get('Content-Type') ?? '')) {
    try {
      const body: unknown = await res.json()
      if (body && typeof body === 'object') problem = body as Record<string, unknown>
    } catch {
      // A broken body: the status alone must do.
    }
  }
  const detail =
    typeof problem.detail === 'string' && problem.detail ? problem.detail : typeof problem.title === 'string' ? problem.title : fallback
  const requestId = typeof problem.requestId === 'string' ? problem.requestId : (res.headers.get('X-Request-Id') ?? undefined)
  return new ApiError(res.status, sentence(detail), fieldErrorsOf(problem.errors), requestId)
}

/** The API's messages end without a full stop; shown beside the SPA's own, they get one. */
function sentence(text: string): string {
  return /[.!?…]$/.test(text.trimEnd()) ? text : `${text.trimEnd()}.`
}

function fieldErrorsOf(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return []
  return value
    .filter((entry): entry is Record<string, unknown> => Boolean(entry) && typeof entry === 'object')
    .map((entry) => ({ path: textOf(entry.path, ''), message: sentence(textOf(entry.message, 'Invalid')) }))
}

function textOf(value: unknown, fallback: string): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback
}

/**
 * Sorts field errors onto the form's fields: `body.tags.2` goes to `tags` as "Tag 3: …".
 * Errors that name no field of the form stay in `other`, to be shown with the form's message.
 */
export function errorsByField<F extends string>(
  errors: FieldError[],
  fields: readonly F[],
): { byField: Partial<Record<F, string>>; other: string[] } {
  const byField: Partial<Record<F, string>> = {}
  const other: string[] = []
  const seenPaths = new Set<string>()
  for (const { path, message } of errors) {
    // One message per input: an empty title is both "empty" and "blank", and one says it.
    if (seenPaths.has(path)) continue
    seenPaths.add(path)
    const [, field, index] = path.split('.')
    if (!fields.includes(field as F)) {
      other.push(message)
      continue
    }
    const text = index === undefined ? message : `${capitalize(field)} ${Number(index) + 1}: ${message}`
    const key = field as F
    byField[key] = byField[key] ? `${byField[key]} ${text}` : text
  }
  return { byField, other }
}

function capitalize(field: string): string {
  const singular = field.endsWith('s') ? field.slice(0, -1) : field
  return singular.charAt(0).toUpperCase() + singular.slice(1)
}

/** Any failure as an ApiError; one that did not come from the API is a bug, kept in the console. */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  console.error(err)
  return new ApiError(-1, 'Something went wrong in this page. Reload it and try again.')
}
