/**
 * One large export in a fresh process: `node --expose-gc export.cjs <bundle> <streamed|buffered> [live]` installs
 * the streaming runtime's stand-in (scripts/streaming-runtime.cjs) as the awslambda global, as Lambda's
 * runtime does, requires the bundle, answers BENCH_WARM_UP once (a small export: the SDK loaded, the code
 * warm), collects the garbage, then answers BENCH_EVENT once, measured:
 * - streamed: through `streamHandler`, the body taken by a client that drops it at once;
 * - buffered: through `handler`, whose answer is the result Lambda would return.
 * Reports over IPC the time to the first body byte and to the end (for a buffered answer both are when the
 * result is ready), the body's bytes and status, and how much the process grew at its peak over the
 * baseline: RSS (what Lambda's memory size bounds) and the heap plus buffers, sampled every 5 ms. With
 * `live`, each sample (every 50 ms) follows a forced GC: what the function holds, not the garbage V8 has
 * yet to collect (the times of such a run are not reported).
 */
const { Writable } = require('node:stream')
const path = require('node:path')
const runtime = require(path.join(__dirname, '../../streaming-runtime.cjs'))

runtime.install()
const { handler, streamHandler } = require(process.argv[2])
const mode = process.argv[3]
const live = process.argv[4] === 'live'
const event = JSON.parse(process.env.BENCH_EVENT)
const warmUp = JSON.parse(process.env.BENCH_WARM_UP)
const context = (id) => ({ awsRequestId: `bench-export-${id}`, getRemainingTimeInMillis: () => 300_000 })
const dropped = () => new Writable({ write: (_chunk, _encoding, done) => done() })

async function answer(incoming, id) {
  if (mode === 'streamed') return runtime.invoke(streamHandler, incoming, context(id), { sink: dropped(), highWaterMark: 64 * 1024 })
  return handler(incoming, context(id))
}

async function main() {
  await answer(warmUp, 'warm-up')
  global.gc()
  const used = () => {
    const { rss, heapUsed, arrayBuffers } = process.memoryUsage()
    return { rss, heapAndBuffers: heapUsed + arrayBuffers }
  }
  const base = used()
  const peak = { ...base }
  const sampler = setInterval(
    () => {
      if (live) global.gc()
      const now = used()
      peak.rss = Math.max(peak.rss, now.rss)
      peak.heapAndBuffers = Math.max(peak.heapAndBuffers, now.heapAndBuffers)
    },
    live ? 50 : 5,
  )
  const started = performance.now()
  const result = await answer(event, 'measured')
  const ended = performance.now()
  clearInterval(sampler)
  const growth = { rss: peak.rss - base.rss, heapAndBuffers: peak.heapAndBuffers - base.heapAndBuffers }
  if (mode === 'streamed') {
    return {
      status: result.prelude?.statusCode,
      firstByteMs: result.chunks[0].ms,
      lastByteMs: result.chunks.at(-1).ms,
      bytes: result.bodyBytes,
      growth,
    }
  }
  const ms = ended - started
  const bytes = Buffer.byteLength(result.body, result.isBase64Encoded ? 'base64' : 'utf8')
  return { status: result.statusCode, firstByteMs: ms, lastByteMs: ms, bytes, growth }
}

main().then((report) => process.send(report, () => process.exit(0)))
