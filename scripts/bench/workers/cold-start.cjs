/**
 * One cold start: `node cold-start.cjs <bundle>` loads the bundle, answers the event in BENCH_EVENT
 * once, reports its own timings over IPC and exits. The parent times it from spawn to exit.
 */
const loadStarted = performance.now()
const { handler } = require(process.argv[2])
const loaded = performance.now()
const event = JSON.parse(process.env.BENCH_EVENT)

handler(event, lambdaContext()).then((result) => {
  const answered = performance.now()
  process.send(
    { status: result.statusCode, bootMs: loadStarted, loadMs: loaded - loadStarted, firstAnswerMs: answered - loaded, totalMs: answered },
    () => process.exit(0),
  )
})

function lambdaContext() {
  return {
    awsRequestId: 'bench-cold',
    functionName: 'notes-bench',
    memoryLimitInMB: '1024',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 29_000,
  }
}
