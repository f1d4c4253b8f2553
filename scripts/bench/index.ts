/**
 * `npm run bench`: what the API function costs where its users feel it, next to a hello-world Express 5
 * bundle behind @vendia/serverless-express, measured in one run on this machine; and a 50 MB export
 * through streamHandler next to the same through the buffered handler. Prints one markdown
 * table and writes it, with every sample, to bench-results/. docs/BENCHMARKS.md says what each figure
 * means and how to read the ratios.
 *
 *   npm run bench [-- --compare <bundle.js>]   the compared bundle (e.g. built from another commit) joins the cold starts
 *   npm run bench -- --compare-mounted <bundle.js>   a build with the members' site mounted at / (made another way) joins them
 *   npm run bench -- --report <results.json>   prints the table again from a run's saved samples
 *   BENCH_QUICK=1 npm run bench                fewer rounds: for trying the script, not for figures
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { issueToken } from '../../app/auth/tokens'
import { loadConfig } from '../../app/config'
import { createDocumentClient } from '../../app/db/client'
import { startEmbeddedDynamo } from '../../app/db/embedded'
import { seedNotes } from '../seed-notes'
import { bundleFigures, buildBundles, resultsDir } from './bundles'
import { countDatabaseCalls } from './calls'
import { table, toMarkdown, type Results } from './report'
import { coldStarts, exportStreaming, heapGrowth, warmCosts, type Settings } from './sections'

const quick = Boolean(process.env.BENCH_QUICK)
const settings: Settings = {
  // Many rounds of fresh processes: the machine is shared, and medians over them are what stays put.
  coldRounds: quick ? 3 : 25,
  warmRounds: quick ? 2 : 7,
  heapRounds: 1,
  exportRounds: quick ? 1 : 3,
  warm: quick ? { warmUp: 200, measured: 1000 } : { warmUp: 500, measured: 2000 },
  warmWithDatabase: quick ? { warmUp: 100, measured: 200 } : { warmUp: 150, measured: 400 },
}
const jwtSecret = 'bench-secret-that-is-at-least-32-bytes-long!!'

async function main(): Promise<void> {
  const started = Date.now()
  const { values } = parseArgs({
    options: { compare: { type: 'string' }, 'compare-mounted': { type: 'string' }, report: { type: 'string' } },
  })
  if (values.report) {
    console.log(toMarkdown(table(JSON.parse(readFileSync(values.report, 'utf8')) as Results)))
    return
  }
  mkdirSync(path.join(resultsDir, 'build'), { recursive: true })
  log('Building dist/lambda.js, the same with the members’ site mounted, and the hello-world bundle ...')
  const bundles = await buildBundles(values.compare, values['compare-mounted'])

  // Lambda runs Node 22; the SDK's warning about older Nodes would only cost the Node 20 runs here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  const dynamo = await startEmbeddedDynamo()
  const env = {
    AWS_LAMBDA_FUNCTION_NAME: 'notes-bench',
    AWS_REGION: 'us-east-1',
    APP_URL: 'https://notes.example.com',
    MAIL_FROM: 'no-reply@example.com',
    JWT_SECRET: jwtSecret,
    TABLE_NAME: 'notes-bench',
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    // What Lambda puts in every function's environment: the role's temporary credentials.
    AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH00',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key-of-the-function-role',
    AWS_SESSION_TOKEN: 'bench-session-token',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    PATH: process.env.PATH ?? '',
  }
  try {
    log('Counting DynamoDB calls per route (and seeding a user with notes) ...')
    const { token, calls } = await countDatabaseCalls(loadConfig({ ...env, AWS_LAMBDA_FUNCTION_NAME: undefined }))
    log(`Cold starts (${settings.coldRounds} rounds) ...`)
    const cold = await coldStarts(bundles, env, token, settings.coldRounds)
    log(`Warm cost (${settings.warmRounds} processes per variant) ...`)
    const warm = await warmCosts(bundles, env, token, settings)
    log('Heap after 100 and 10,000 invocations ...')
    const heap = await heapGrowth(bundles, env, token, settings.heapRounds)
    log(`A 50 MB export, streamed against buffered (${settings.exportRounds} rounds; seeding 1,070 notes first) ...`)
    const { exporting, small } = await seedExports(env)
    const exported = await exportStreaming(bundles, env, exporting, small, settings.exportRounds)
    const results = { cold, warm, heap, calls, export: exported, bundle: bundleFigures(bundles) }

    const markdown = toMarkdown(table(results))
    console.log(`\n${markdown}\n`)
    const when = new Date().toISOString()
    const report = { when, node: process.version, cpus: os.cpus().length, loadAverage: os.loadavg(), quick, settings, markdown, ...results }
    const json = JSON.stringify({ ...report, seconds: Math.round((Date.now() - started) / 1000) }, null, 2)
    writeFileSync(path.join(resultsDir, 'latest.json'), json)
    writeFileSync(path.join(resultsDir, `bench-${when.replace(/[:.]/g, '-')}.json`), json)
    log(`Wrote bench-results/latest.json (${Math.round((Date.now() - started) / 1000)} s)`)
  } finally {
    await dynamo.close()
    rmSync(path.dirname(bundles.mounted), { recursive: true, force: true })
  }
}

/** Two users of their own in the bench's table: one with a 50 MB export, one with a small one; their tokens. */
async function seedExports(env: Record<string, string>): Promise<{ exporting: string; small: string }> {
  const config = loadConfig({ ...env, AWS_LAMBDA_FUNCTION_NAME: undefined })
  const db = createDocumentClient(config)
  await seedNotes(db, config.tableName, 'bench-export-large', 1070, 49_000)
  await seedNotes(db, config.tableName, 'bench-export-small', 3, 100)
  db.destroy()
  const token = (id: string) => issueToken(config.jwt, { id, email: `${id}@example.com` }, new Date()).token
  return { exporting: token('bench-export-large'), small: token('bench-export-small') }
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
