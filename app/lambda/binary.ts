/**
 * Which responses go back to API Gateway, the Function URL or the ALB base64-encoded. The adapter's
 * default encodes only `image/*` and compressed bodies, so a PDF, a zip or any `application/octet-stream`
 * a mounted app sends would be read as UTF-8 and arrive corrupted. Here every body is binary unless it
 * is text by its content type and not compressed: text stays readable in logs and tests, everything
 * else arrives byte for byte. (A REST API must also list every media type as binary; see docs/DEPLOY.md.)
 */
const textTypes = [
  /^text\//,
  /^application\/(json|xml|javascript|ecmascript|x-www-form-urlencoded|graphql|yaml|x-yaml|x-ndjson)$/,
  /^application\/[\w.-]+\+(json|xml)$/,
  /^image\/svg\+xml$/,
]

export function isBinaryResponse({ headers }: { headers: Record<string, unknown> }): boolean {
  const encoding = headers['content-encoding']
  if (typeof encoding === 'string' && encoding !== '' && encoding !== 'identity') return true
  const type = headers['content-type']
  if (typeof type !== 'string' || type === '') return false
  const mediaType = type.split(';')[0].trim().toLowerCase()
  return !textTypes.some((text) => text.test(mediaType))
}
