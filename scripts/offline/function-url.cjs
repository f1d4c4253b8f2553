'use strict'
/**
 * `npm run offline` (run.ts): a Lambda function URL with InvokeMode RESPONSE_STREAM, which
 * serverless-offline 13 does not emulate (it has no function URLs, and calls every handler as a
 * buffered one). Run as a child process, from the folder the zips were unpacked into:
 *
 *   node function-url.cjs <module path> <export name>     prints `LISTENING <port>` once it answers
 *
 * The Lambda runtime's stand-in (../streaming-runtime.cjs) is installed before the bundle is required,
 * as the runtime does; each HTTP request becomes a function URL event (payload 2.0, the body base64)
 * and its answer is written back as it streams: the prelude's status, headers and cookies, then the
 * body at the pace the client reads. A client that goes away closes the stream, as Lambda does.
 */
const { randomUUID } = require('node:crypto')
const http = require('node:http')
const path = require('node:path')
const runtime = require('../streaming-runtime.cjs')

runtime.install()
const [modulePath, exportName] = process.argv.slice(2)
const handler = require(path.resolve(modulePath))[exportName]

/** The event a function URL hands the function for this request. */
function functionUrlEvent(req, body) {
  const [rawPath, rawQueryString = ''] = req.url.split(/\?(.*)/s)
  const headers = {}
  const cookies = []
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase()
    const value = req.rawHeaders[i + 1]
    if (name === 'cookie') cookies.push(...value.split(/;\s*/))
    else headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`
  }
  const query = {}
  for (const [key, value] of new URLSearchParams(rawQueryString)) query[key] = key in query ? `${query[key]},${value}` : value
  const host = headers.host ?? 'localhost'
  const now = new Date()
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: host.split('.')[0],
      domainName: host,
      domainPrefix: host.split('.')[0],
      http: {
        method: req.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0,
  }
}

const server = http.createServer(async (req, res) => {
  const parts = []
  for await (const part of req) parts.push(part)
  const event = functionUrlEvent(req, Buffer.concat(parts))
  const context = { awsRequestId: event.requestContext.requestId, getRemainingTimeInMillis: () => 300_000 }
  const onPrelude = ({ statusCode, headers = {}, cookies = [] }) => {
    const lines = Object.entries(headers).flatMap(([name, value]) => [name, value])
    for (const cookie of cookies) lines.push('set-cookie', cookie)
    res.writeHead(statusCode, lines)
  }
  const streamed = await runtime.invoke(handler, event, context, { sink: res, onPrelude, timeoutMs: 300_000 })
  // Lambda answers a function that failed before its prelude with a 502; after it, the stream breaks off.
  if (streamed.error && !streamed.prelude)
    res.writeHead(502, { 'content-type': 'application/json' }).end('{"Message":"Internal Server Error"}')
  else if (streamed.error) res.destroy()
  else res.end()
})
server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${server.address().port}\n`))
