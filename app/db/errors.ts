import { HttpError } from '../errors'

const unavailableNames = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
])
const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED'])

/** True for the SDK's answer to a failed `ConditionExpression`. */
export function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException'
}

/**
 * Turns "DynamoDB is busy or out of reach" into a 503 with Retry-After, keeping the SDK error as the
 * cause for the log. Anything else is rethrown as it is and ends as a logged 500.
 * @example await db.send(command).catch(rethrowUnavailable)
 */
export function rethrowUnavailable(err: unknown): never {
  const { name, code, $metadata } = (err ?? {}) as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } }
  const status = $metadata?.httpStatusCode
  if ((name && unavailableNames.has(name)) || (code && unavailableCodes.has(code)) || (status !== undefined && status >= 500)) {
    throw new HttpError(503, 'Service Unavailable', {
      detail: 'The database is busy or out of reach; try again shortly',
      headers: { 'Retry-After': '1' },
      cause: err,
    })
  }
  throw err
}
