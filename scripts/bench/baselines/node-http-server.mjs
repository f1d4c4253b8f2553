/** Throughput baseline: a bare node:http server giving the same JSON as `GET /health`, on 127.0.0.1. */
import http from 'node:http'

const body = JSON.stringify({ status: 'ok' })
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
})
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }))
