/** Throughput baseline: a middleware-free Express 5 app giving the same JSON as `GET /health`, on 127.0.0.1. */
import express from 'express'

const app = express()
app.get('/health', (_req, res) => {
  res.json({ status: 'ok' })
})
const server = app.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }))
