/**
 * Warm cost in one process: `node --expose-gc warm.cjs <bundle> <warm-up> <measured>` loads the bundle,
 * answers BENCH_EVENT `warm-up` times, then `measured` times in a row (each awaited before the next),
 * and reports over IPC the mean wall time per invocation and the part of it spent waiting for
 * DynamoDB. With BENCH_HEAP set it reports instead the heap after 100 and after 10,000 invocations.
 *
 * The wait is read from Node's own HTTP client events (node:diagnostics_channel), nothing patched: from
 * `http.client.request.start`, when the SDK's request is created, to `http.client.response.finish`,
 * when its response's headers are in. What is left is the function's own time, the SDK's included.
 * Beside it, the process's CPU time per invocation, which other processes on the machine stretch less.
 */
const diagnostics = require('node:diagnostics_channel')
const v8 = require('node:v8')

const { handler } = require(process.argv[2])
const warmUp = Number(process.argv[3])
const measured = Number(process.argv[4])
const event = JSON.parse(process.env.BENCH_EVENT)
const context = {
  awsRequestId: 'bench-warm',
  functionName: 'notes-bench',
  memoryLimitInMB: '1024',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 29_000,
}
// A fresh copy per call, as Lambda gives: an adapter may write into the event's headers.
const invoke = () => handler({ ...event, headers: { ...event.headers }, requestContext: { ...event.requestContext } }, context)

let waitedNs = 0n
let requests = 0
const startedAt = new WeakMap()
diagnostics.subscribe('http.client.request.start', ({ request }) => startedAt.set(request, process.hrtime.bigint()))
diagnostics.subscribe('http.client.response.finish', ({ request }) => {
  const started = startedAt.get(request)
  if (started === undefined) return
  waitedNs += process.hrtime.bigint() - started
  requests++
})

function heapAfterGc() {
  global.gc()
  return process.memoryUsage().heapUsed
}

/** The part of the heap that holds V8's compiled code, which grows as more functions get optimized. */
function codeSpace() {
  return v8.getHeapSpaceStatistics().find((space) => space.space_name === 'code_space')?.space_used_size ?? 0
}

async function timed() {
  let done = 0
  for (; done < warmUp; done++) {
    const result = await invoke()
    if (result.statusCode !== 200) return { status: result.statusCode }
  }
  waitedNs = 0n
  requests = 0
  const cpuStarted = process.cpuUsage()
  const started = process.hrtime.bigint()
  for (let i = 0; i < measured; i++) await invoke()
  const wallNs = Number(process.hrtime.bigint() - started)
  const cpu = process.cpuUsage(cpuStarted)
  return {
    status: 200,
    wallUs: wallNs / 1000 / measured,
    waitUs: Number(waitedNs) / 1000 / measured,
    outsideWaitUs: (wallNs - Number(waitedNs)) / 1000 / measured,
    requestsPerInvocation: requests / measured,
    cpuUs: (cpu.user + cpu.system) / measured,
  }
}

async function heap() {
  let done = 0
  for (; done < 100; done++) await invoke()
  const after100 = heapAfterGc()
  const code100 = codeSpace()
  for (; done < 10_000; done++) await invoke()
  const after10000 = heapAfterGc()
  const status = (await invoke()).statusCode
  return { status, heapAfter100: after100, heapAfter10000: after10000, codeAfter100: code100, codeAfter10000: codeSpace() }
}

;(process.env.BENCH_HEAP ? heap() : timed()).then((report) => process.send(report, () => process.exit(0)))
