import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { startOffline, type OfflineStack } from '../../scripts/offline/run'
import type { EmbeddedDynamo } from '../../app/db/embedded'
import { testSecret } from '../helpers/app'
import { startDynamoWithTable } from '../helpers/entries'
import {
  alone,
  corpusMounts,
  devServer,
  overHttp,
  readCorpus,
  unzippedFunction,
  walk,
  type Outcome,
  type Shape,
  type Transport,
} from './corpus-walk'
import { buildWithMounts, root } from './shipped-bundle'

/**
 * The corpus of app shapes (test/packaging/corpus/, one folder each): every shape mounted with its one
 * mount() line, walked through `npm run dev` (the dev server process), `npm run offline` (the packaged
 * functions behind the emulated API Gateway and CloudFront) and the unzipped package (its handler
 * called as the Lambda runtime calls it), and compared with the same app alone on Express 4: the same
 * statuses, Locations and bodies, step by step. One build, one package and one server of each kind
 * serve every shape.
 */
jest.setTimeout(120_000)

const shapes = readCorpus()
let work: string
let offline: OfflineStack
let dynamo: EmbeddedDynamo
const transports: Record<string, Transport> = {}
const walkedAlone = new Map<string, Promise<Outcome[]>>()

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'notes-corpus-'))
  const mountsFile = path.join(work, 'mounts.ts')
  writeFileSync(mountsFile, corpusMounts(shapes))
  // Every function, as `serverless package` packages them all: a fresh checkout has no dist/ yet.
  const built = buildWithMounts(path.join(root, 'dist'), corpusMounts(shapes), { every: true })
  if (!built.ok) throw new Error(`build failed: ${built.stderr}`)
  offline = await startOffline({ build: false, log: () => undefined })
  // The unzipped function's own table: a sign-in (passport's req.login) is a row in it.
  dynamo = await startDynamoWithTable('notes-corpus')
  const env = {
    PATH: process.env.PATH,
    AWS_LAMBDA_FUNCTION_NAME: 'notes-corpus-api',
    AWS_REGION: 'us-east-1',
    JWT_SECRET: testSecret,
    TABLE_NAME: 'notes-corpus',
    APP_URL: 'https://notes.example.com',
    MAIL_FROM: 'no-reply@example.com',
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: 'corpus',
    AWS_SECRET_ACCESS_KEY: 'corpus',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  }
  const [standalone, dev, unzipped] = await Promise.all([
    alone(shapes),
    freePort().then((port) => devServer(mountsFile, path.join(work, 'preload.cjs'), path.join(work, 'data'), port)),
    unzippedFunction(offline.taskDir, env),
  ])
  Object.assign(transports, {
    alone: standalone,
    'npm run dev': dev,
    'npm run offline': overHttp('npm run offline', offline.url, () => Promise.resolve()),
    'the unzipped package': unzipped,
  })
}, 300_000)

afterAll(async () => {
  await Promise.all(Object.values(transports).map((t) => t.close()))
  await offline?.stop()
  await dynamo?.close()
  rmSync(work, { recursive: true, force: true })
  // dist/ as the checkout builds it, without the corpus.
  spawnSync(process.execPath, [path.join(root, 'scripts/build-lambda.mjs'), '--quiet'], { cwd: root })
})

/** The walk of the app alone, once per shape (a walk changes what the app holds). */
function walkAlone(shape: Shape): Promise<Outcome[]> {
  if (!walkedAlone.has(shape.name)) walkedAlone.set(shape.name, walk(transports.alone, shape))
  return walkedAlone.get(shape.name)!
}

describe.each(shapes.map((shape) => [shape.name, shape] as const))('%s', (_name, shape) => {
  it('walks as its walk.json says when it runs alone on Express 4', async () => {
    const outcomes = await walkAlone(shape)

    shape.steps.forEach((step, i) => {
      if (step.expect !== undefined)
        expect({ step: outcomes[i].request, status: outcomes[i].status }).toEqual({ step: outcomes[i].request, status: step.expect })
      if (step.contains !== undefined) expect(outcomes[i].body).toContain(step.contains)
    })
  })

  it.each(['npm run dev', 'npm run offline', 'the unzipped package'])('answers through %s as it does alone', async (transport) => {
    const expected = await walkAlone(shape)

    expect(await walk(transports[transport], shape)).toEqual(expected)
  })
})
