import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig, type Config } from '../../app/config'
import { createDocumentClient } from '../../app/db/client'
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../app/db/embedded'
import { ensureTable } from '../../app/db/table'
import { testSecret } from '../helpers/app'
import { buildWithMounts, shipToEmptyFolder } from '../packaging/shipped-bundle'
import { checkRun, report } from './checks'
import { delayingProxy, runBatches, type Invoke, type Proxy, type Run } from './harness'
import { dropMarker, planInvocations, seedCast, type Invocation } from './plan'

/**
 * Lambda Managed Instances send up to 64 invocations per vCPU at once to one process: worker threads,
 * each running many invocations concurrently, sharing every module-level value. The packaged function
 * (dist/lambda.js with an Express 4 app that has sessions, flash and a login form mounted, copied into
 * an empty folder as its zip would be) is required once by a fresh Node and given 64 invocations all
 * in flight together: mixed people, routes, event sources, failures midway, and database answers
 * delayed at random by a proxy that also drops some connections. Then the same inside worker threads.
 * Every answer, cookie, log line and login counter must belong to the invocation that caused it.
 */
jest.setTimeout(240_000)

const mountsSource = `
import { mount, type MountList } from './mount'
import deskApp from '../../test/concurrency/fixtures/desk/app'

export const mounts: MountList = ({ db, tableName }) => [mount('/desk', deskApp({ db, tableName }), { auth: 'optional', signInPage: '/desk/login' })]
`

let dynamo: EmbeddedDynamo
let proxy: Proxy
let outdir: string
let task: string

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo()
  proxy = await delayingProxy(dynamo.endpoint, { maxDelayMs: 25, dropMarker })
  outdir = mkdtempSync(path.join(tmpdir(), 'notes-concurrency-build-'))
  const built = buildWithMounts(outdir, mountsSource)
  if (!built.ok) throw new Error(`build failed: ${built.stderr}`)
  task = shipToEmptyFolder(outdir)
}, 180_000)

afterAll(async () => {
  await proxy?.close()
  await dynamo?.close()
  for (const dir of [outdir, task]) if (dir) rmSync(dir, { recursive: true, force: true })
})

/** A table of its own, its people, and the function's environment pointed at it through the proxy. */
async function stage(): Promise<{ config: Config; db: ReturnType<typeof createDocumentClient>; env: Record<string, string> }> {
  const tableName = `notes-concurrency-${randomUUID()}`
  const config = loadConfig({ JWT_SECRET: testSecret, TABLE_NAME: tableName, DYNAMODB_ENDPOINT: dynamo.endpoint })
  const db = createDocumentClient(config)
  await ensureTable(db, tableName)
  const env = {
    AWS_LAMBDA_FUNCTION_NAME: 'notes-concurrency-api',
    AWS_REGION: 'us-east-1',
    JWT_SECRET: testSecret,
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: proxy.endpoint,
    // Per email, a person's logins from every invocation land at once; what is counted here is per address.
    LOGIN_LIMIT_PER_EMAIL: '1000',
    APP_URL: 'https://notes.example.com',
    MAIL_FROM: 'no-reply@example.com',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  }
  return { config, db, env }
}

const toInvoke = ({ id, event, context }: Invocation): Invoke => ({ id, event, context })

/** The run's figures, for the test output: how many, in how many threads, how long. */
function figures(name: string, plan: Invocation[], run: Run): string {
  return `${name}: ${plan.length} invocations in ${run.batches.length} thread(s) (${run.batches.map((b) => b.peak).join(', ')} in flight at once), ${proxy.dropped} dropped connections so far, ${run.ms} ms`
}

describe('the packaged function, many invocations at once', () => {
  it('in one process: 64 in flight together, each answer, cookie, log line and login counter its own', async () => {
    const { config, db, env } = await stage()
    const cast = await seedCast({ db, config })
    const plan = planInvocations(cast, { tag: 'p', count: 64, seed: 1, addressOf: (i) => `198.51.100.${i + 1}` })

    const run = await runBatches(task, [plan.map(toInvoke)], { workers: false, env })
    const findings = await checkRun(plan, run, { db, config })

    process.stdout.write(`${figures('one process', plan, run)}\n`)
    expect(report(plan, findings)).toBe('')
    db.destroy()
  })

  it('in four worker threads of one process, 64 in flight in each, each answer, cookie, log line and login counter its own', async () => {
    const { config, db, env } = await stage()
    const cast = await seedCast({ db, config })
    const batches = [0, 1, 2, 3].map((w) =>
      planInvocations(cast, { tag: `w${w}`, count: 64, seed: 10 + w, addressOf: (i) => `10.0.${w}.${i + 1}` }),
    )
    const plan = batches.flat()

    const run = await runBatches(
      task,
      batches.map((batch) => batch.map(toInvoke)),
      { workers: true, env },
    )
    const findings = await checkRun(plan, run, { db, config })

    process.stdout.write(`${figures('four workers', plan, run)}\n`)
    expect(run.batches.map((b) => b.thread).sort()).toEqual(['worker 0', 'worker 1', 'worker 2', 'worker 3'])
    expect(report(plan, findings)).toBe('')
    db.destroy()
  })
})
