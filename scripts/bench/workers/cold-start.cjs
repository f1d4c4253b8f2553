/**
 * One cold start: `node cold-start.cjs <bundle>` loads the bundle, answers the event in BENCH_EVENT
 * once, reports its own timings and CPU time over IPC and exits. The parent times it from spawn to exit.
 */
const loadStarted = performance.now()
const { handler } = require(process.argv[2])
const loaded = performance.now()
const event = JSON.parse(process.env.BENCH_EVENT)
const context = {
  awsRequestId: 'bench-cold',
  functionName: 'notes-bench',
  memoryLimitInMB: '1024',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 29_000,
}

handler(event, context).then((result) => {
  const answered = performance.now()
  // CPU since the process began (Node's own start included), every thread: unlike wall time, barely
  // stretched when other processes hold the cores, and blind to the wait for DynamoDB.
  const { user, system } = process.cpuUsage()
  const report = {
    status: result.statusCode,
    loadMs: loaded - loadStarted,
    firstAnswerMs: answered - loaded,
    cpuMs: (user + system) / 1000,
  }
  process.send(report, () => process.exit(0))
})
