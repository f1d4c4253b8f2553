/**
 * Warm cost in one process: `node --expose-gc warm.cjs <bundle> <warm-up> <measured>` loads the bundle,
 * answers BENCH_EVENT `warm-up` times, then `measured` times in a row (each awaited before the next),
 * and reports the mean per invocation and the heap after 100 and after 10,000 invocations over IPC.
 */
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

function heapAfterGc() {
  global.gc()
  return process.memoryUsage().heapUsed
}

async function main() {
  const first = await invoke()
  let done = 1
  for (; done < warmUp; done++) await invoke()
  const started = process.hrtime.bigint()
  for (let i = 0; i < measured; i++) await invoke()
  const perInvocationUs = Number(process.hrtime.bigint() - started) / 1000 / measured
  done += measured
  // Heap after 100 and 10,000 invocations of the same process: a leak shows as growth between them.
  let heapAfter100
  let heapAfter10000
  if (process.env.BENCH_HEAP) {
    for (; done < 100; done++) await invoke()
    heapAfter100 = heapAfterGc()
    for (; done < 10_000; done++) await invoke()
    heapAfter10000 = heapAfterGc()
  }
  process.send({ status: first.statusCode, perInvocationUs, heapAfter100, heapAfter10000 }, () => process.exit(0))
}

main()
