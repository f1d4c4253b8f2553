/** The Lambda events the bench sends: API Gateway HTTP API (payload 2.0), as the function's `$default` route receives them. */
export function httpApiEvent(method: string, rawPath: string, headers: Record<string, string> = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { host: 'api.example.com', 'user-agent': 'bench/1.0', accept: 'application/json', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: 'api.example.com',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench/1.0' },
      requestId: 'bench-request-id',
      routeKey: '$default',
      stage: '$default',
      time: '01/Dec/2026:12:00:00 +0000',
      timeEpoch: 1796126400000,
    },
    isBase64Encoded: false,
  }
}

/** A Lambda function URL's event (payload 2.0 as well): what the `stream` function receives behind CloudFront. */
export function functionUrlEvent(method: string, rawPath: string, headers: Record<string, string> = {}) {
  const event = httpApiEvent(method, rawPath, headers)
  const domainName = 'bench.lambda-url.us-east-1.on.aws'
  return {
    ...event,
    headers: { ...event.headers, host: domainName },
    requestContext: { ...event.requestContext, domainName, apiId: 'bench' },
  }
}

export type BenchEvent = ReturnType<typeof httpApiEvent>

/** The events every section uses: `/health`, and with the token `/api/me` and the first page of `/api/notes`. */
export function benchEvents(token: string) {
  const auth = { authorization: `Bearer ${token}` }
  return {
    health: httpApiEvent('GET', '/health'),
    me: httpApiEvent('GET', '/api/me', auth),
    list: httpApiEvent('GET', '/api/notes', auth),
    /**
     * A page of the members' site (examples/members) when it is mounted at `/`, as a browser navigates to it;
     * with the marker of a renewal already tried, so that builds which sent anonymous browsers to renew answer the page too.
     */
    page: httpApiEvent('GET', '/login', { accept: 'text/html', 'sec-fetch-mode': 'navigate', cookie: 'page-renew=no' }),
  }
}
