'use strict'
/**
 * A stand-in for what Lambda's Node.js runtime gives a function that streams its responses, where that
 * runtime is not: tests, `npm run bench` and `npm run offline`. It speaks the runtime's wire format
 * (aws-lambda-nodejs-runtime-interface-client, src/stream/ and src/runtime/streaming-invoke-processor.ts):
 *
 * - `install()` puts `globalThis.awslambda` in place, as the runtime does before it loads the handler's
 *   module. `streamifyResponse(handler)` marks the handler with the runtime's symbol and returns it;
 *   `HttpResponseStream.from(stream, prelude)` sets the stream's content type to
 *   `application/vnd.awslambda.http-integration-response` and makes its first write send the prelude
 *   as JSON, then eight NUL bytes, before the bytes written.
 * - `invoke(handler, event, context, options)` calls a streaming handler as the runtime does, with a
 *   response stream of small highWaterMark (the runtime's is an HTTP request to Lambda, with a socket's)
 *   whose bytes a client takes at its own pace, with backpressure; then splits what arrived into the
 *   prelude and the body, and says when each body chunk arrived and how much the stream ever held.
 *   A handler that rejects fails the stream as the runtime does (the error is recorded, the stream
 *   ended); one that resolves without ending the stream is reported as `unfinished` after `timeoutMs`,
 *   where the runtime would wait until the function's timeout.
 */
const { Writable } = require('node:stream')

const preludeContentType = 'application/vnd.awslambda.http-integration-response'
const streamingMark = Symbol.for('aws.lambda.runtime.handler.streaming')
const delimiter = Buffer.alloc(8)

class HttpResponseStream {
  /** As the runtime's: the content type now, the prelude and the delimiter just before the first write. */
  static from(stream, prelude) {
    stream.setContentType(preludeContentType)
    const json = JSON.stringify(prelude)
    stream._onBeforeFirstWrite = (write) => {
      write(json)
      write(new Uint8Array(delimiter.length))
    }
    return stream
  }
}

/** The `awslambda` global of the runtime. */
function createRuntime() {
  return {
    streamifyResponse(handler) {
      handler[streamingMark] = 'response'
      return handler
    },
    HttpResponseStream,
  }
}

/** Installs the global, as the runtime does before it requires the function's module (keeping what is there); returns it. */
function install() {
  globalThis.awslambda = { ...globalThis.awslambda, ...createRuntime() }
  return globalThis.awslambda
}

/**
 * The response stream of one invocation: a Writable whose `_write` hands each chunk to the client and
 * completes when the client has taken it, with the runtime's content type and first-write hook.
 */
function responseStream({ highWaterMark, take }) {
  let contentType = 'application/octet-stream'
  let written = false
  const stream = new Writable({ highWaterMark, write: (chunk, _encoding, done) => take(chunk, done) })
  const write = stream.write.bind(stream)
  stream.setContentType = (type) => {
    if (written) throw new Error('Cannot set content-type, too late.')
    contentType = type
  }
  stream.write = (chunk, encoding, callback) => {
    const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk)
    if (!written && typeof stream._onBeforeFirstWrite === 'function') stream._onBeforeFirstWrite((part) => write(part))
    written = true
    return write(data, encoding, callback)
  }
  Object.defineProperty(stream, 'contentType', { get: () => contentType })
  return stream
}

/**
 * Invokes a streaming handler as the runtime does and reports what a client received.
 * @param {Function} handler the module's export, marked by streamifyResponse
 * @param {object} event
 * @param {object} context
 * @param {object} [options]
 * @param {number} [options.highWaterMark] bytes the response stream holds before `write` answers false (16 KiB)
 * @param {number} [options.delayMs] the client takes each chunk this long after it arrived (a slow client)
 * @param {number} [options.closeAfterBytes] the client goes away once this many body bytes arrived: the stream is destroyed
 * @param {(prelude: object) => void} [options.onPrelude] called when the prelude has arrived
 * @param {import('node:stream').Writable} [options.sink] body bytes go here, with its backpressure, instead of being kept; its closing early is the client going away
 * @param {number} [options.timeoutMs] how long the stream may stay open after the handler settled (30 s)
 */
async function invoke(handler, event, context, options = {}) {
  const { highWaterMark = 16 * 1024, delayMs = 0, closeAfterBytes, onPrelude, sink, timeoutMs = 30_000 } = options
  if (handler[streamingMark] !== 'response') throw new Error('the handler is not marked by awslambda.streamifyResponse')
  const started = performance.now()
  const report = {
    startedAt: Date.now(),
    contentType: undefined,
    prelude: undefined,
    preludeBytes: 0,
    body: undefined,
    bodyBytes: 0,
    /** Body chunks as they arrived: `ms` after the invoke began, `at` as Date.now(). */
    chunks: [],
    maxBuffered: 0,
    error: undefined,
    clientClosed: false,
    unfinished: false,
  }
  const kept = []
  let head = Buffer.alloc(0)
  let inBody = false
  let stream

  function takeBody(chunk, done) {
    if (chunk.length === 0) return done()
    report.chunks.push({ ms: performance.now() - started, at: Date.now(), bytes: chunk.length })
    report.bodyBytes += chunk.length
    const pass = () => (delayMs > 0 ? setTimeout(done, delayMs) : setImmediate(done))
    if (sink) {
      if (sink.write(chunk)) pass()
      else sink.once('drain', pass)
    } else {
      kept.push(chunk)
      pass()
    }
    if (closeAfterBytes !== undefined && report.bodyBytes >= closeAfterBytes && !report.clientClosed) {
      report.clientClosed = true
      setImmediate(() => stream.destroy(Object.assign(new Error('the client went away'), { code: 'ECONNRESET' })))
    }
  }

  function take(chunk, done) {
    if (inBody) return takeBody(chunk, done)
    if (stream.contentType !== preludeContentType) {
      inBody = true
      return takeBody(chunk, done)
    }
    head = Buffer.concat([head, chunk])
    const end = head.indexOf(delimiter)
    if (end === -1) return done()
    report.preludeBytes = end
    report.prelude = JSON.parse(head.subarray(0, end).toString('utf8'))
    onPrelude?.(report.prelude)
    inBody = true
    const rest = head.subarray(end + delimiter.length)
    head = Buffer.alloc(0)
    return takeBody(rest, done)
  }

  stream = responseStream({ highWaterMark, take })
  const write = stream.write
  stream.write = (...args) => {
    const ok = write(...args)
    report.maxBuffered = Math.max(report.maxBuffered, stream.writableLength)
    return ok
  }
  // The runtime listens for its request's errors itself; a destroyed stream must not crash the process.
  stream.on('error', () => undefined)
  const closed = new Promise((resolve) => stream.once('close', resolve))
  // A sink that closes first is a client that went away: Lambda ends the stream.
  sink?.once('close', () => {
    if (stream.writableFinished || report.clientClosed) return
    report.clientClosed = true
    stream.destroy(Object.assign(new Error('the client went away'), { code: 'ECONNRESET' }))
  })

  const result = handler(event, stream, context)
  if (!result || typeof result.then !== 'function') throw new Error('Streaming does not support non-async handlers.')
  try {
    await result
  } catch (error) {
    report.error = { errorType: error?.name ?? 'Error', errorMessage: error?.message ?? String(error) }
    if (!stream.destroyed && !stream.writableEnded) stream.end()
  }
  let timer
  const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))
  if ((await Promise.race([closed, timedOut])) === 'timeout') {
    report.unfinished = true
    stream.destroy()
  }
  clearTimeout(timer)
  report.contentType = stream.contentType
  if (!sink) report.body = Buffer.concat(kept)
  report.endedAt = Date.now()
  return report
}

module.exports = { install, createRuntime, invoke, preludeContentType }
