/**
 * `npm run bench`: what the Lambda function costs, next to what a team would otherwise ship, measured
 * in one run on this machine. Prints one markdown table and writes it, with every sample, to
 * bench-results/. Each figure is a median over fresh processes, the variants interleaved round by round.
 *
 *   cold start   spawn -> the bundle's first answer -> exit, for dist/lambda.js and the baselines
 *   warm cost    mean time per invocation, in process, awaited one after another, after a warm-up
 *   throughput   autocannon against the dev server's app and plain servers on 127.0.0.1
 *   bundle       bytes of dist/lambda.js (raw, gzip) and its heaviest packages; heap after 100 and 10,000 invocations
 *   DynamoDB     calls per route, counted by an SDK middleware
 *
 * BENCH_QUICK=1 runs fewer rounds (for trying the script, not for figures).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import autocannon from 'autocannon'
import type { Express } from 'express'
import request from 'supertest'
import { loadConfig, type Config } from '../../app/config'
import { issueToken } from '../../app/auth/tokens'
import { createDocumentClient } from '../../app/db/client'
import { startEmbeddedDynamo } from '../../app/db/embedded'
import { ensureTable } from '../../app/db/table'
import { createApp } from '../../app/index'
import { createLogger } from '../../app/logger'

const root = path.resolve(__dirname, '../..')
const here = __dirname
const resultsDir = path.join(root, 'bench-results')
const buildDir = path.join(resultsDir, 'build')
const quick = Boolean(process.env.BENCH_QUICK)
const settings = {
  coldRounds: quick ? 3 : 21,
  warmRounds: quick ? 2 : 7,
  warmUp: quick ? 200 : 1000,
  warmMeasured: quick ? 1000 : 5000,
  heapRounds: quick ? 1 : 3,
  throughputRounds: quick ? 1 : 3,
  throughputSeconds: quick ? 2 : 5,
  connections: 10,
}
const jwtSecret = 'bench-secret-that-is-at-least-32-bytes-long!!'
const tableName = 'notes-bench'

interface Row {
  section: string
  variant: string
  value: string
  ratio?: string
  goal?: string
}

async function main(): Promise<void> {
  const started = Date.now()
  mkdirSync(buildDir, { recursive: true })
  log('Building dist/lambda.js and the baselines ...')
  const bundles = await buildBundles()

  // Lambda runs Node 22; the SDK's warning about older Nodes would only cost the Node 20 runs here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  const dynamo = await startEmbeddedDynamo()
  const env = {
    AWS_LAMBDA_FUNCTION_NAME: 'notes-bench',
    AWS_REGION: 'us-east-1',
    JWT_SECRET: jwtSecret,
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    PATH: process.env.PATH ?? '',
  }
  const config = loadConfig({ ...env, AWS_LAMBDA_FUNCTION_NAME: undefined })
  try {
    log('Counting DynamoDB calls per route ...')
    const { token, calls } = await countDatabaseCalls(config)
    log(`Cold starts (${settings.coldRounds} rounds) ...`)
    const cold = await coldStarts(bundles, env, token)
    log(`Warm cost (${settings.warmRounds} processes per variant) ...`)
    const stubToken = issueToken(config.jwt, { id: 'bench', email: 'bench@example.com' }, new Date()).token
    const warm = await warmCosts(bundles, env, stubToken)
    log('Heap after 100 and 10,000 invocations ...')
    const heap = await heapGrowth(bundles, env, stubToken)
    log(`Throughput (${settings.throughputRounds} x ${settings.throughputSeconds} s per target) ...`)
    const throughput = await throughputs(env, stubToken)
    const bundle = bundleFigures(bundles)

    const rows = table({ cold, warm, throughput, bundle, heap, calls })
    const markdown = toMarkdown(rows)
    console.log(`\n${markdown}\n`)
    const when = new Date().toISOString()
    const report = {
      when,
      node: process.version,
      cpus: os.cpus().length,
      quick,
      settings,
      seconds: Math.round((Date.now() - started) / 1000),
      markdown,
      rows,
      cold,
      warm,
      throughput,
      bundle,
      heap,
      calls,
    }
    writeFileSync(path.join(resultsDir, 'latest.json'), JSON.stringify(report, null, 2))
    writeFileSync(path.join(resultsDir, `bench-${when.replace(/[:.]/g, '-')}.json`), JSON.stringify(report, null, 2))
    log(`Wrote bench-results/latest.json (${report.seconds} s)`)
  } finally {
    await dynamo.close()
  }
}

// ---------------------------------------------------------------------------------------------------
// Bundles

interface Bundles {
  app: string
  appStubbedDb: string
  appServerlessHttp: string
  helloExpress: string
  rawHandler: string
}

/** dist/lambda.js as `npm run build` makes it, and the other bundles with the same esbuild options. */
async function buildBundles(): Promise<Bundles> {
  const script = await import(pathToFileURL(path.join(root, 'scripts/build-lambda.mjs')).href)
  const { build } = await import('esbuild')
  await script.buildLambdas({ only: 'lambda' })
  const bundle = async (entry: string, name: string, lean: boolean) => {
    const outfile = path.join(buildDir, `${name}.js`)
    const result = await build({
      ...script.bundleOptions,
      entryPoints: [path.join(here, entry)],
      outfile,
      plugins: lean ? [script.leanDependencies] : [],
    })
    writeFileSync(path.join(buildDir, `${name}.meta.json`), JSON.stringify(result.metafile))
    return outfile
  }
  return {
    app: path.join(root, 'dist/lambda.js'),
    appStubbedDb: await bundle('entries/app-stubbed-db.ts', 'app-stubbed-db', true),
    appServerlessHttp: await bundle('entries/app-serverless-http.ts', 'app-serverless-http', true),
    // What a team would ship without trimming anything: the same esbuild options, no plugin.
    helloExpress: await bundle('baselines/hello-express.mjs', 'hello-express', false),
    rawHandler: path.join(here, 'baselines/raw-handler.js'),
  }
}

// ---------------------------------------------------------------------------------------------------
// Cold start

interface ColdSample {
  wallMs: number
  loadMs?: number
  firstAnswerMs?: number
  status?: number
}

type Env = Record<string, string>

/** Every variant once per round, in a shuffled order, each in a fresh process; medians of each. */
async function coldStarts(bundles: Bundles, env: Env, token: string) {
  const health = httpApiEvent('GET', '/health')
  const notes = httpApiEvent('GET', '/api/notes', { authorization: `Bearer ${token}` })
  const variants: Record<string, () => Promise<ColdSample>> = {
    'node -e 0': () => timeNodeEval(env),
    'raw handler': () => coldStart(bundles.rawHandler, health, env),
    'hello Express + adapter, GET /health': () => coldStart(bundles.helloExpress, health, env),
    'app, GET /health': () => coldStart(bundles.app, health, env),
    'app, first authenticated GET /api/notes': () => coldStart(bundles.app, notes, env),
  }
  const samples = await interleave(variants, settings.coldRounds)
  for (const [name, list] of Object.entries(samples)) {
    const bad = list.find((s) => s.status !== undefined && s.status !== 200)
    if (bad) throw new Error(`cold start of ${name} answered ${bad.status}`)
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [
      name,
      {
        wallMs: median(list.map((s) => s.wallMs)),
        loadMs: medianOf(list, 'loadMs'),
        firstAnswerMs: medianOf(list, 'firstAnswerMs'),
        samples: list.map((s) => round(s.wallMs, 1)),
      },
    ]),
  )
}

function coldStart(bundle: string, event: object, env: Env): Promise<ColdSample> {
  const started = performance.now()
  const child = fork(path.join(here, 'workers/cold-start.cjs'), [bundle], {
    execArgv: [],
    env: { ...env, BENCH_EVENT: JSON.stringify(event) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    let report: { status: number; loadMs: number; firstAnswerMs: number } | undefined
    child.on('message', (message) => void (report = message as typeof report))
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0 || !report) return reject(new Error(`cold start of ${bundle} exited with ${code}`))
      resolve({ wallMs: performance.now() - started, loadMs: report.loadMs, firstAnswerMs: report.firstAnswerMs, status: report.status })
    })
  })
}

function timeNodeEval(env: Env): Promise<ColdSample> {
  const started = performance.now()
  const child = spawn(process.execPath, ['-e', '0'], { env, stdio: 'ignore' })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', () => resolve({ wallMs: performance.now() - started }))
  })
}

// ---------------------------------------------------------------------------------------------------
// Warm cost and heap

interface WarmReport {
  status: number
  perInvocationUs: number
  heapAfter100?: number
  heapAfter10000?: number
}

async function warmCosts(bundles: Bundles, env: Env, token: string) {
  const health = httpApiEvent('GET', '/health')
  const notes = httpApiEvent('GET', '/api/notes', { authorization: `Bearer ${token}` })
  const run = (bundle: string, event: object) => () => warmRun(bundle, event, env)
  const variants: Record<string, () => Promise<WarmReport>> = {
    'raw handler': run(bundles.rawHandler, health),
    'hello Express + adapter, GET /health': run(bundles.helloExpress, health),
    'app, GET /health': run(bundles.app, health),
    'app, authenticated GET /api/notes (stubbed client)': run(bundles.appStubbedDb, notes),
    'app + serverless-http, GET /health': run(bundles.appServerlessHttp, health),
    'app + serverless-http, authenticated GET /api/notes (stubbed client)': run(bundles.appServerlessHttp, notes),
  }
  const samples = await interleave(variants, settings.warmRounds)
  for (const [name, list] of Object.entries(samples)) {
    if (list.some((s) => s.status !== 200)) throw new Error(`warm ${name} answered ${list.map((s) => s.status)}`)
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [
      name,
      { perInvocationUs: median(list.map((s) => s.perInvocationUs)), samples: list.map((s) => round(s.perInvocationUs, 1)) },
    ]),
  )
}

async function heapGrowth(bundles: Bundles, env: Env, token: string) {
  const notes = httpApiEvent('GET', '/api/notes', { authorization: `Bearer ${token}` })
  const list: WarmReport[] = []
  for (let i = 0; i < settings.heapRounds; i++) list.push(await warmRun(bundles.appStubbedDb, notes, { ...env, BENCH_HEAP: '1' }, 1, 1))
  const after100 = median(list.map((s) => s.heapAfter100!))
  const after10000 = median(list.map((s) => s.heapAfter10000!))
  return { after100, after10000, ratio: after10000 / after100 }
}

function warmRun(bundle: string, event: object, env: Env, warmUp = settings.warmUp, measured = settings.warmMeasured): Promise<WarmReport> {
  const child = fork(path.join(here, 'workers/warm.cjs'), [bundle, String(warmUp), String(measured)], {
    execArgv: ['--expose-gc'],
    env: { ...env, BENCH_EVENT: JSON.stringify(event) },
    // The app's access log goes to /dev/null: written, as on Lambda, but not kept.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    let report: WarmReport | undefined
    child.on('message', (message) => void (report = message as WarmReport))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 && report ? resolve(report) : reject(new Error(`warm run of ${bundle} exited with ${code}`))))
  })
}

// ---------------------------------------------------------------------------------------------------
// Throughput

async function throughputs(env: Env, stubToken: string) {
  const servers: ChildProcess[] = []
  const start = async (file: string, args: string[] = [], execArgv: string[] = []) => {
    const child = fork(path.join(here, file), args, {
      execArgv,
      env: { ...env, AWS_LAMBDA_FUNCTION_NAME: '', DYNAMODB_ENDPOINT: '' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    })
    servers.push(child)
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as { port: number }))
      child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)))
    })
    return `http://127.0.0.1:${port}`
  }
  try {
    const bare = await start('baselines/node-http-server.mjs')
    const plain = await start('baselines/express-server.mjs')
    const app = await start('workers/app-server.ts', [], ['--import', 'tsx'])
    const stubbed = await start('workers/app-server.ts', ['stub'], ['--import', 'tsx'])
    const token = await seedUser(app)
    const auth = (t: string) => ({ authorization: `Bearer ${t}` })
    const targets: Record<string, () => Promise<number>> = {
      'node:http server, GET /health': () => load(`${bare}/health`),
      'Express without middleware, GET /health': () => load(`${plain}/health`),
      'app, GET /health': () => load(`${app}/health`),
      'app, authenticated GET /api/notes (embedded dynalite)': () => load(`${app}/api/notes`, auth(token)),
      'app, authenticated GET /api/notes (stubbed client)': () => load(`${stubbed}/api/notes`, auth(stubToken)),
    }
    for (const target of Object.values(targets)) await target() // warm-up: JIT and connections
    const samples = await interleave(targets, settings.throughputRounds)
    return Object.fromEntries(
      Object.entries(samples).map(([name, list]) => [name, { requestsPerSecond: median(list), samples: list.map((s) => Math.round(s)) }]),
    )
  } finally {
    for (const server of servers) server.kill()
  }
}

async function load(url: string, headers: Record<string, string> = {}): Promise<number> {
  const result = await autocannon({ url, headers, connections: settings.connections, duration: settings.throughputSeconds })
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  return result.requests.average
}

/** A user with five notes on the app server, through its API; returns the user's token. */
async function seedUser(base: string): Promise<string> {
  const post = (route: string, body: object, token?: string) =>
    fetch(`${base}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    })
  const registered = await post('/auth/register', { email: 'bench@example.com', password: 'correct horse battery' })
  const { token } = (await registered.json()) as { token: string }
  for (let i = 1; i <= 5; i++) await post('/api/notes', { title: `Note ${i}`, body: 'A short body.', tags: ['bench'] }, token)
  return token
}

// ---------------------------------------------------------------------------------------------------
// DynamoDB calls per route

/** Drives every route once through the app on the bench's dynalite, counting the SDK's commands; returns a seeded user's token too. */
async function countDatabaseCalls(config: Config) {
  const db = createDocumentClient(config)
  await ensureTable(db, tableName)
  const seen: string[] = []
  db.middlewareStack.add(
    (next, context) => async (args) => {
      seen.push(String(context.commandName).replace(/Command$/, ''))
      return next(args)
    },
    { step: 'initialize', name: 'bench-count-calls' },
  )
  const app: Express = createApp({ config, db, clock: () => new Date(), logger: createLogger({ write: () => undefined }) })
  const calls: Record<string, string> = {}
  async function call<T extends { status: number }>(label: string, send: () => Promise<T>, status: number): Promise<T> {
    seen.length = 0
    const res = await send()
    if (res.status !== status) throw new Error(`${label} answered ${res.status}`)
    const counts = new Map<string, number>()
    for (const name of seen) counts.set(name, (counts.get(name) ?? 0) + 1)
    calls[label] = counts.size === 0 ? 'none' : [...counts].map(([name, n]) => `${name} x${n}`).join(', ')
    return res
  }
  const account = { email: 'calls@example.com', password: 'correct horse battery' }
  await call('POST /auth/register', () => request(app).post('/auth/register').send(account), 201)
  const login = await call('POST /auth/login', () => request(app).post('/auth/login').send(account), 200)
  const auth = { authorization: `Bearer ${login.body.token}` }
  await call('GET /health', () => request(app).get('/health'), 200)
  await call('GET /api/me', () => request(app).get('/api/me').set(auth), 200)
  const created = await call('POST /api/notes', () => request(app).post('/api/notes').set(auth).send({ title: 'Counted' }), 201)
  for (let i = 2; i <= 5; i++)
    await request(app)
      .post('/api/notes')
      .set(auth)
      .send({ title: `Note ${i}` })
  const id = created.body.id as string
  await call('GET /api/notes (one page of 20)', () => request(app).get('/api/notes').set(auth), 200)
  let cursor: string | null = null
  await call(
    'GET /api/notes?limit=2, walking all 3 pages',
    async () => {
      let res
      do {
        res = await request(app)
          .get(`/api/notes?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
          .set(auth)
        cursor = res.body.nextCursor
      } while (cursor)
      return res
    },
    200,
  )
  await call('GET /api/notes/:id', () => request(app).get(`/api/notes/${id}`).set(auth), 200)
  await call(
    'PATCH /api/notes/:id',
    () => request(app).patch(`/api/notes/${id}`).set(auth).set('if-match', '"1"').send({ title: 'Changed' }),
    200,
  )
  await call(
    'PATCH /api/notes/:id, stale If-Match (412)',
    () => request(app).patch(`/api/notes/${id}`).set(auth).set('if-match', '"1"').send({ title: 'Again' }),
    412,
  )
  await call('DELETE /api/notes/:id', () => request(app).delete(`/api/notes/${id}`).set(auth), 204)
  await call('GET /api/trash', () => request(app).get('/api/trash').set(auth), 200)
  await call('POST /api/notes/:id/restore', () => request(app).post(`/api/notes/${id}/restore`).set(auth), 200)
  db.destroy()
  return { token: login.body.token as string, calls }
}

// ---------------------------------------------------------------------------------------------------
// Bundle

function bundleFigures(bundles: Bundles) {
  const size = (file: string) => {
    const code = readFileSync(file)
    return { bytes: code.length, gzipBytes: gzipSync(code).length }
  }
  const meta = JSON.parse(readFileSync(path.join(root, 'dist/lambda.meta.json'), 'utf8'))
  const output = Object.values(
    meta.outputs as Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>,
  ).find((o) => o.entryPoint)!
  const byPackage = new Map<string, number>()
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? '(the app)'
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput)
  }
  const largest = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([name, bytes]) => ({ name, bytes }))
  return { app: size(bundles.app), helloExpress: size(bundles.helloExpress), largest }
}

// ---------------------------------------------------------------------------------------------------
// The table

function table(r: {
  cold: Record<string, { wallMs: number; loadMs?: number; firstAnswerMs?: number }>
  warm: Record<string, { perInvocationUs: number }>
  throughput: Record<string, { requestsPerSecond: number }>
  bundle: ReturnType<typeof bundleFigures>
  heap: { after100: number; after10000: number; ratio: number }
  calls: Record<string, string>
}): Row[] {
  const rows: Row[] = []
  const ratio = (a: number, b: number, name: string) => `${(a / b).toFixed(2)}x ${name}`
  const check = (value: number, limit: number, atMost = true) => ((atMost ? value <= limit : value >= limit) ? 'met' : 'MISSED')

  const cold = r.cold
  const coldHello = cold['hello Express + adapter, GET /health'].wallMs
  const coldRaw = cold['raw handler'].wallMs
  for (const [variant, { wallMs, loadMs, firstAnswerMs }] of Object.entries(cold)) {
    const parts = loadMs === undefined ? '' : ` (load ${round(loadMs, 1)}, answer ${round(firstAnswerMs!, 1)})`
    const row: Row = { section: 'cold start, ms', variant, value: `${round(wallMs, 1)}${parts}` }
    if (variant.startsWith('app')) row.ratio = `${ratio(wallMs, coldHello, 'hello')}, ${ratio(wallMs, coldRaw, 'raw')}`
    if (variant === 'app, GET /health') {
      row.goal = `<= 1.4x hello: ${check(wallMs / coldHello, 1.4)}; <= 3.5x raw: ${check(wallMs / coldRaw, 3.5)}`
    }
    rows.push(row)
  }

  const warm = r.warm
  const warmHello = warm['hello Express + adapter, GET /health'].perInvocationUs
  const warmNotes = warm['app, authenticated GET /api/notes (stubbed client)'].perInvocationUs
  const warmSlsNotes = warm['app + serverless-http, authenticated GET /api/notes (stubbed client)'].perInvocationUs
  for (const [variant, { perInvocationUs }] of Object.entries(warm)) {
    const row: Row = { section: 'warm cost, µs per invocation', variant, value: String(round(perInvocationUs, 1)) }
    if (variant !== 'raw handler' && !variant.startsWith('hello')) row.ratio = ratio(perInvocationUs, warmHello, 'hello')
    if (variant === 'app, authenticated GET /api/notes (stubbed client)') {
      row.ratio += `, ${ratio(perInvocationUs, warmSlsNotes, 'serverless-http')}`
      row.goal = `<= 1.5x hello: ${check(warmNotes / warmHello, 1.5)}; <= serverless-http: ${check(warmNotes / warmSlsNotes, 1)}`
    }
    rows.push(row)
  }

  const plain = r.throughput['Express without middleware, GET /health'].requestsPerSecond
  for (const [variant, { requestsPerSecond }] of Object.entries(r.throughput)) {
    const row: Row = { section: 'dev-server throughput, requests/s', variant, value: String(Math.round(requestsPerSecond)) }
    if (variant.startsWith('app')) row.ratio = ratio(requestsPerSecond, plain, 'Express')
    if (variant.startsWith('app, authenticated')) row.goal = `>= 0.7x Express: ${check(requestsPerSecond / plain, 0.7, false)}`
    rows.push(row)
  }

  const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} kB`
  const { app, helloExpress, largest } = r.bundle
  rows.push({
    section: 'bundle',
    variant: 'dist/lambda.js, raw / gzip',
    value: `${kb(app.bytes)} / ${kb(app.gzipBytes)}`,
    ratio: ratio(app.bytes, helloExpress.bytes, 'hello'),
    goal: `< 1.2 MB: ${check(app.bytes, 1_200_000)}`,
  })
  rows.push({
    section: 'bundle',
    variant: 'hello Express + adapter, raw / gzip',
    value: `${kb(helloExpress.bytes)} / ${kb(helloExpress.gzipBytes)}`,
  })
  rows.push({
    section: 'bundle',
    variant: 'largest inputs of dist/lambda.js',
    value: largest.map((p) => `${p.name} ${kb(p.bytes)}`).join(', '),
  })
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`
  rows.push({
    section: 'heap (used, after GC)',
    variant: 'app, authenticated GET /api/notes: after 100 / after 10,000',
    value: `${mb(r.heap.after100)} / ${mb(r.heap.after10000)}`,
    ratio: `${r.heap.ratio.toFixed(3)}x`,
    goal: `within 10%: ${check(r.heap.ratio, 1.1)}`,
  })
  for (const [route, counted] of Object.entries(r.calls)) rows.push({ section: 'DynamoDB calls', variant: route, value: counted })
  return rows
}

function toMarkdown(rows: Row[]): string {
  const escape = (text = '') => text.replace(/\|/g, '\\|')
  const lines = ['| figure | variant | median | ratio | goal |', '|---|---|---|---|---|']
  for (const row of rows)
    lines.push(`| ${row.section} | ${escape(row.variant)} | ${escape(row.value)} | ${escape(row.ratio)} | ${escape(row.goal)} |`)
  return lines.join('\n')
}

// ---------------------------------------------------------------------------------------------------
// Helpers

/** Runs each variant once per round, in a fresh shuffled order each round, so drift in the machine spreads over all of them. */
async function interleave<T>(variants: Record<string, () => Promise<T>>, rounds: number): Promise<Record<string, T[]>> {
  const samples: Record<string, T[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]))
  for (let i = 0; i < rounds; i++) {
    const order = Object.keys(variants).sort(() => Math.random() - 0.5)
    for (const name of order) samples[name].push(await variants[name]())
  }
  return samples
}

/** An API Gateway HTTP API (payload 2.0) event, as the function's `$default` route receives it. */
function httpApiEvent(method: string, rawPath: string, headers: Record<string, string> = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { host: 'api.example.com', 'user-agent': 'bench/1.0', accept: 'application/json', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: 'api.example.com',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench/1.0' },
      requestId: 'bench-request-id',
      routeKey: '$default',
      stage: '$default',
      time: '01/Dec/2026:12:00:00 +0000',
      timeEpoch: 1796126400000,
    },
    isBase64Encoded: false,
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

function medianOf<T>(list: T[], key: keyof T): number | undefined {
  const values = list.map((s) => s[key]).filter((v): v is T[keyof T] & number => typeof v === 'number')
  return values.length ? median(values) : undefined
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits))
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
