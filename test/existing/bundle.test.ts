import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { loadConfig } from '../../app/config'
import type { HttpResult } from '../../app/lambda/events'
import { testSecret } from '../helpers/app'
import { httpApiEvent, lambdaContext } from '../helpers/events'
import { signToken } from '../helpers/tokens'

/**
 * A mount in the Lambda build: dist/lambda.js built by scripts/build-lambda.mjs with
 * app/existing/mounts.ts holding the example's one line (swapped in at build time, so the checkout's
 * own list is left alone), the example shipped beside it as files (it is a package of its own), then
 * run by a fresh Node process with nothing but the bundle and those files.
 */
const root = path.resolve(__dirname, '../..')
let outdir: string
let results: HttpResult[]

const mountsWithExample = `
import { mount, type Mount } from './mount'
import profileApp from '../../examples/profile/app'

export const mounts: Mount[] = [mount('/api/profile', profileApp)]
`

const build = `
import { buildLambdas } from ${JSON.stringify(path.join(root, 'scripts/build-lambda.mjs'))}
const swapMounts = {
  name: 'mounts-with-example',
  setup(build) {
    build.onLoad({ filter: /[\\\\/]app[\\\\/]existing[\\\\/]mounts\\.ts$/ }, (args) => ({ contents: ${JSON.stringify(mountsWithExample)}, loader: 'ts', resolveDir: ${JSON.stringify(path.join(root, 'app/existing'))} }))
  },
}
await buildLambdas({ outdir: process.argv[1], only: 'lambda', plugins: [swapMounts] })
`

/** Requires the bundle once and answers each event with one RESULT line, as the Lambda runtime would call it. */
function runBundle(bundle: string, events: object[]): Promise<HttpResult[]> {
  const runner = `
    const { handler } = require(${JSON.stringify(bundle)})
    const events = JSON.parse(process.argv[1])
    ;(async () => { for (const { event, context } of events) process.stdout.write('RESULT ' + JSON.stringify(await handler(event, context)) + '\\n') })()`
  const child = spawn(process.execPath, ['-e', runner, JSON.stringify(events)], {
    env: {
      PATH: process.env.PATH,
      AWS_LAMBDA_FUNCTION_NAME: 'notes-bundle-api',
      AWS_REGION: 'us-east-1',
      APP_URL: 'https://notes.example.com',
      MAIL_FROM: 'no-reply@example.com',
      JWT_SECRET: testSecret,
      TABLE_NAME: 'unused',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  })
  const out: HttpResult[] = []
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('RESULT ')) out.push(JSON.parse(line.slice(7)))
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', () => resolve(out))
  })
}

beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), 'notes-mount-bundle-'))
  const built = spawnSync(process.execPath, ['--input-type=module', '-e', build, outdir], { cwd: root, encoding: 'utf8' })
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`)
  const token = signToken(loadConfig({ JWT_SECRET: testSecret }), { sub: 'user-ada', email: 'ada@example.com' })
  const auth = { Authorization: `Bearer ${token}` }
  const events = [
    httpApiEvent({ method: 'GET', path: '/api/profile/greeting', headers: auth }),
    httpApiEvent({ method: 'GET', path: '/api/profile/reports/1999', headers: auth }),
    httpApiEvent({ method: 'GET', path: '/api/profile' }),
  ].map((event) => ({ event, context: { awsRequestId: lambdaContext().awsRequestId } }))
  results = await runBundle(path.join(outdir, 'lambda.js'), events)
}, 90_000)

afterAll(() => rmSync(outdir, { recursive: true, force: true }))

describe('an existing app mounted in app/existing/mounts.ts, in the Lambda build', () => {
  it('ships the example beside dist/lambda.js as its files, which the bundle requires, with Express 4 beside them', () => {
    const bundle = readFileSync(path.join(outdir, 'lambda.js'), 'utf8')
    const shipped = path.join(outdir, 'lambda.files')

    expect(bundle).toContain('require("./lambda.files/examples/profile/app.js")')
    expect(bundle).not.toContain('hidden files are private')
    expect(readFileSync(path.join(shipped, 'examples/profile/app.js'), 'utf8')).toBe(
      readFileSync(path.join(root, 'examples/profile/app.js'), 'utf8'),
    )
    expect(JSON.parse(readFileSync(path.join(shipped, 'node_modules/express4/package.json'), 'utf8')).version).toMatch(/^4\./)
  })

  it('answers through the bundled handler: its own route, a rejected promise as a problem, no token as a 401', () => {
    const [greeting, rejected, unauthenticated] = results

    expect(greeting.statusCode).toBe(200)
    expect(JSON.parse(greeting.body)).toEqual({ greeting: 'Hello, ada@example.com' })
    expect(rejected.statusCode).toBe(500)
    expect(rejected.headers?.['content-type']).toMatch(/^application\/problem\+json/)
    expect(unauthenticated.statusCode).toBe(401)
  })
})
