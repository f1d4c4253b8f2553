// Runs a batch of invocations through the shipped bundle the way Lambda Managed Instances do: the
// handler required once per thread and every invocation of a batch in flight at once (started in one
// tick, none awaited before the next starts). With `workers`, each batch goes to a worker thread of its
// own that requires the bundle itself, as the Node.js runtime's workers do.
//
//   node runner.cjs <plan.json> <results.json>     (cwd: the folder the function's zip was unpacked into)
//
// plan.json: { bundle, workers: boolean, batches: [[{ id, event, context }]] }. The function's log lines
// go to stdout as on Lambda; the answers go to results.json, one entry per batch:
// { thread, peak, results: [{ id, result }] }, where `peak` is how many invocations were in flight at once.
const { readFileSync, writeFileSync } = require('node:fs')
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads')

async function invokeAll(bundle, batch) {
  const { handler } = require(bundle)
  let inFlight = 0
  let peak = 0
  const results = await Promise.all(
    batch.map(async ({ id, event, context }) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      try {
        const result = await handler(event, { ...context, getRemainingTimeInMillis: () => 29_000 })
        return { id, result }
      } catch (error) {
        return { id, error: String(error && error.stack ? error.stack : error) }
      } finally {
        inFlight--
      }
    }),
  )
  return { peak, results }
}

if (isMainThread) {
  const [planFile, resultsFile] = process.argv.slice(2)
  const plan = JSON.parse(readFileSync(planFile, 'utf8'))
  const inWorker = (batch, n) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(__filename, { workerData: { bundle: plan.bundle, batch } })
      let answer
      worker.once('message', (message) => (answer = message))
      worker.once('error', reject)
      worker.once('exit', (code) =>
        answer ? resolve({ thread: `worker ${n}`, ...answer }) : reject(new Error(`worker ${n} exited ${code}`)),
      )
    })
  const runs = plan.workers
    ? Promise.all(plan.batches.map(inWorker))
    : plan.batches.reduce(
        (done, batch) => done.then(async (all) => [...all, { thread: 'main', ...(await invokeAll(plan.bundle, batch)) }]),
        Promise.resolve([]),
      )
  runs.then(
    (batches) => {
      writeFileSync(resultsFile, JSON.stringify(batches))
      // Open keep-alive sockets of the SDK would keep the process up; its job is done once the log is out.
      process.stdout.write('', () => process.exit(0))
    },
    (error) => {
      process.stderr.write(`runner failed: ${error && error.stack ? error.stack : error}\n`)
      process.exit(1)
    },
  )
} else {
  invokeAll(workerData.bundle, workerData.batch).then((answer) => {
    parentPort.postMessage(answer)
    // The SDK's keep-alive sockets keep a worker up as they would a process.
    setImmediate(() => process.exit(0))
  })
}
