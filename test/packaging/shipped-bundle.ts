import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import type { HttpResult } from '../../app/lambda/events'
import { testSecret } from '../helpers/app'

/**
 * The Lambda bundle as it is deployed: built by scripts/build-lambda.mjs with app/existing/mounts.ts
 * swapped for the given source at build time (the checkout's own list is left alone), then only the
 * bundle and the files it ships (`dist/lambda.js`, `dist/lambda.files/`: mounted packages and their
 * dependencies) copied into an empty folder outside the project, where no other node_modules or
 * sources can be found, and run there by a fresh Node.
 */
export const root = path.resolve(__dirname, '../..')

/** app/existing/mounts.ts with no mounts: what the project's own tests build, whatever list the checkout has. */
export const noMounts = `import type { MountList } from './mount'\nexport const mounts: MountList = []\n`

/** The source of an esbuild plugin, `swapMounts`, that builds with `mountsSource` as app/existing/mounts.ts (for a build script run with node -e). */
export function swapMountsPlugin(mountsSource: string): string {
  return `const swapMounts = {
  name: 'mounts-swapped',
  setup(build) {
    build.onLoad({ filter: /[\\\\/]app[\\\\/]existing[\\\\/]mounts\\.ts$/ }, () => ({ contents: ${JSON.stringify(mountsSource)}, loader: 'ts', resolveDir: ${JSON.stringify(path.join(root, 'app/existing'))} }))
  },
}`
}

const buildScript = (mountsSource: string) => `
import { buildLambdas } from ${JSON.stringify(path.join(root, 'scripts/build-lambda.mjs'))}
const [outdir, only] = process.argv.slice(1)
${swapMountsPlugin(mountsSource)}
await buildLambdas({ outdir, only: only || undefined, plugins: [swapMounts] })
`

/**
 * Builds dist/lambda.js with `mountsSource` as app/existing/mounts.ts; with `every`, the other
 * functions' bundles too (what `serverless package` needs in a checkout that has no dist/ yet).
 * The build's stderr on failure.
 */
export function buildWithMounts(outdir: string, mountsSource: string, { every = false } = {}): { ok: boolean; stderr: string } {
  const built = spawnSync(process.execPath, ['--input-type=module', '-e', buildScript(mountsSource), outdir, every ? '' : 'lambda'], {
    cwd: root,
    encoding: 'utf8',
  })
  return { ok: built.status === 0, stderr: built.stderr }
}

/**
 * Copies what the api function's zip holds (serverless.yml: dist/lambda.js, the files of the packages it loads on
 * first use, and dist/lambda.files/**) into a new empty folder.
 */
export function shipToEmptyFolder(outdir: string): string {
  const task = mkdtempSync(path.join(tmpdir(), 'notes-var-task-'))
  if (existsSync(path.join(tmpdir(), 'node_modules'))) throw new Error(`${tmpdir()}/node_modules would let the bundle find packages`)
  mkdirSync(path.join(task, 'dist'))
  const deferred = readdirSync(path.join(root, 'app/deferred')).map((file) => file.replace(/\.ts$/, '.js'))
  for (const file of ['lambda.js', ...deferred]) cpSync(path.join(outdir, file), path.join(task, 'dist', file))
  if (existsSync(path.join(outdir, 'lambda.files')))
    cpSync(path.join(outdir, 'lambda.files'), path.join(task, 'dist/lambda.files'), { recursive: true })
  return task
}

export interface BundleRun {
  results: HttpResult[]
  /** What keeps the process alive after the last answer (a listening server shows as TCPServerWrap). */
  activeResources: string[]
  stderr: string
}

/** Requires `<task>/dist/lambda.js` from `<task>` (as /var/task) and answers each event in turn, as the Lambda runtime calls it. */
export function runShippedBundle(task: string, events: object[]): Promise<BundleRun> {
  const runner = `
    const { handler } = require('./dist/lambda.js')
    const events = JSON.parse(process.argv[1])
    ;(async () => {
      for (const event of events) process.stdout.write('RESULT ' + JSON.stringify(await handler(event, { awsRequestId: 'req-' + Math.random() })) + '\\n')
      process.stdout.write('ACTIVE ' + JSON.stringify(process.getActiveResourcesInfo()) + '\\n')
      process.exit(0)
    })()`
  const child = spawn(process.execPath, ['-e', runner, JSON.stringify(events)], {
    cwd: task,
    env: {
      PATH: process.env.PATH,
      AWS_LAMBDA_FUNCTION_NAME: 'notes-shipped-api',
      AWS_REGION: 'us-east-1',
      APP_URL: 'https://notes.example.com',
      MAIL_FROM: 'no-reply@example.com',
      JWT_SECRET: testSecret,
      TABLE_NAME: 'unused',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  })
  const run: BundleRun = { results: [], activeResources: [], stderr: '' }
  child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()))
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('RESULT ')) run.results.push(JSON.parse(line.slice(7)))
    if (line.startsWith('ACTIVE ')) run.activeResources = JSON.parse(line.slice(7))
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', () => resolve(run))
  })
}

/** A result's body as bytes, whichever way the function encoded it. */
export const bodyBytes = (result: HttpResult) => Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8')
