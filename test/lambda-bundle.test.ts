import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { builtinModules } from 'node:module'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import type { EmbeddedDynamo } from '../app/db/embedded'
import type { HttpResult } from '../app/lambda/events'
import { testSecret } from './helpers/app'
import { startDynamoWithTable } from './helpers/entries'
import { functionUrlEvent, httpApiEvent, lambdaContext, restApiEvent } from './helpers/events'
import { buildWithMounts, noMounts } from './packaging/shipped-bundle'

/**
 * The built bundle, as Lambda runs it: dist/lambda.js loaded by a fresh Node process with nothing
 * but its environment, talking to a DynamoDB endpoint (dynalite) this test starts.
 */
const root = path.resolve(__dirname, '..')
let outdir: string
let dynamo: EmbeddedDynamo
let runtime: BundleRuntime
const tableName = `notes-bundle-${Date.now()}`

beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), 'notes-bundle-'))
  const built = buildWithMounts(outdir, noMounts)
  if (!built.ok) throw new Error(`build failed: ${built.stderr}`)
  dynamo = await startDynamoWithTable(tableName)
  runtime = startBundle(path.join(outdir, 'lambda.js'), {
    AWS_LAMBDA_FUNCTION_NAME: 'notes-bundle-api',
    AWS_REGION: 'us-east-1',
    JWT_SECRET: testSecret,
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    APP_URL: 'https://notes.example.com',
    MAIL_FROM: 'no-reply@example.com',
  })
}, 60_000)

afterAll(async () => {
  runtime?.stop()
  await dynamo?.close()
  rmSync(outdir, { recursive: true, force: true })
})

interface BundleRuntime {
  invoke(event: object): Promise<HttpResult>
  stop(): void
}

/**
 * A stand-in for the Lambda runtime: requires the bundle once, then invokes its `handler` for each
 * event written to stdin, one JSON line in and one out (prefixed, since the app logs to stdout too).
 */
function startBundle(bundle: string, env: Record<string, string>): BundleRuntime {
  const runner = `
    const { handler } = require(${JSON.stringify(bundle)})
    require('node:readline').createInterface({ input: process.stdin }).on('line', async (line) => {
      const { event, context } = JSON.parse(line)
      const result = await handler(event, context)
      process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n')
    })`
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['-e', runner], {
    env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  })
  const waiting: ((result: HttpResult) => void)[] = []
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('RESULT ')) waiting.shift()?.(JSON.parse(line.slice(7)))
  })
  return {
    invoke: (event) =>
      new Promise((resolve) => {
        waiting.push(resolve)
        child.stdin.write(JSON.stringify({ event, context: { awsRequestId: lambdaContext().awsRequestId } }) + '\n')
      }),
    stop: () => child.kill(),
  }
}

describe('dist/lambda.js in a fresh Node process', () => {
  it('is one minified file and the SDK beside it, each with its source map', () => {
    for (const file of ['lambda.js', 'dynamodb-sdk.js']) {
      expect(statSync(path.join(outdir, file)).size).toBeGreaterThan(100_000)
      expect(statSync(path.join(outdir, `${file}.map`)).size).toBeGreaterThan(0)
      expect(statSync(path.join(outdir, file.replace(/\.js$/, '.meta.json'))).size).toBeGreaterThan(0)
    }
  })

  it('requires nothing but Node built-ins and the SDK beside it: every package is inside', () => {
    const requiredBy = (file: string) =>
      [...readFileSync(path.join(outdir, file), 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1])
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))
    // Not a call: an SDK error message tells the reader to require this add-on for SigV4a signing.
    const optional = new Set(['@aws-sdk/signature-v4-crt'])
    const beside = readdirSync(path.join(root, 'app/deferred')).map((file) => `./${file.replace(/\.ts$/, '.js')}`)
    const required = ['lambda.js', ...beside].flatMap(requiredBy)

    // jose.js is left out: only mounted apps' sealed sessions load it, and this build has no mounts.
    expect(requiredBy('lambda.js')).toEqual(expect.arrayContaining(beside.filter((file) => file !== './jose.js')))
    expect(requiredBy('lambda.js')).not.toContain('./jose.js')
    expect(required.filter((name) => !builtins.has(name) && !optional.has(name) && !beside.includes(name))).toEqual([])
    // The files beside the bundle require nothing beside it: each is whole.
    expect(beside.flatMap(requiredBy).filter((name) => name.startsWith('.'))).toEqual([])
  })

  it('answers health through an HTTP API event with its request id', async () => {
    const event = httpApiEvent({ method: 'GET', path: '/health' })

    const result = await runtime.invoke(event)

    expect(result.statusCode).toBe(200)
    expect(JSON.parse(result.body)).toEqual({ status: 'ok' })
    expect(result.headers?.['x-request-id']).toBe(event.requestContext.requestId)
  })

  it('registers, creates with a base64 body and lists through REST and Function URL events against DynamoDB', async () => {
    const register = await runtime.invoke(
      restApiEvent({
        method: 'POST',
        path: '/auth/register',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'bundle@example.com', password: 'correct horse battery' }),
      }),
    )
    const token = JSON.parse(register.body).token as string
    const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }
    const created = await runtime.invoke(
      functionUrlEvent({ method: 'POST', path: '/api/notes', headers, body: JSON.stringify({ title: 'From the bundle' }), base64: true }),
    )
    const listed = await runtime.invoke(restApiEvent({ method: 'GET', path: '/api/notes?limit=5', headers }))

    expect(register.statusCode).toBe(201)
    expect(created.statusCode).toBe(201)
    expect(created.headers?.etag).toBe('"1"')
    expect(listed.statusCode).toBe(200)
    expect(listed.multiValueHeaders?.['cache-control']).toEqual(['no-store'])
    expect(JSON.parse(listed.body).items.map((n: { title: string }) => n.title)).toEqual(['From the bundle'])
  })

  it('answers an unknown route with a problem, not an HTML page', async () => {
    const result = await runtime.invoke(httpApiEvent({ method: 'GET', path: '/no%20such' }, { stage: 'beta' }))

    expect(result.statusCode).toBe(404)
    expect(result.headers?.['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(JSON.parse(result.body).detail).toBe('No route for GET /no%20such')
  })

  it('fails the cold start, naming the variable, when JWT_SECRET is missing in production', () => {
    const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(outdir, 'lambda.js'))})`], {
      env: { PATH: process.env.PATH, AWS_LAMBDA_FUNCTION_NAME: 'notes-bundle-api', TABLE_NAME: tableName },
      encoding: 'utf8',
    })

    expect(child.status).not.toBe(0)
    expect(child.stderr).toMatch(/ConfigError: JWT_SECRET \(at least 32 bytes\) or JWT_JWKS_URI must be set in production/)
  })

  it('reports the source file and line of a frame in the bundle, and in the SDK file beside it', () => {
    const script = `
      try { require(${JSON.stringify(path.join(outdir, 'lambda.js'))}) } catch (err) { console.log(err.stack) }
      try { require(${JSON.stringify(path.join(outdir, 'dynamodb-sdk.js'))}).DynamoDBDocumentClient.from(undefined) } catch (err) { console.log(err.stack) }`
    const child = spawnSync(process.execPath, ['-e', script], {
      env: { PATH: process.env.PATH, AWS_LAMBDA_FUNCTION_NAME: 'notes-bundle-api', TABLE_NAME: tableName },
      encoding: 'utf8',
    })
    const [config, sdk] = child.stdout.split(/\n(?=\S)/)

    expect(config).toMatch(/^ConfigError: JWT_SECRET/)
    expect(config).toContain(`at loadConfig (${path.join(root, 'app/config.ts')}:`)
    expect(config).toMatch(new RegExp(`${path.join(root, 'lambda.ts')}:\\d+:\\d+`))
    expect(sdk).toMatch(/^TypeError/)
    expect(sdk).toMatch(/node_modules\/@aws-sdk\/lib-dynamodb\/dist-es\/[\w/]+\.js:\d+:\d+/)
  })
})

describe('dist/dynamodb-sdk.js on AWS, where no local endpoint gives it credentials', () => {
  /**
   * Sends one GetItem through the bundled SDK to a server in the same child that only records the request's
   * signature, as the API does on Lambda (no DYNAMODB_ENDPOINT: the role's credentials sign), and prints it.
   */
  function signedBy(env: Record<string, string>) {
    const script = `
      const { DynamoDBClient, DynamoDBDocumentClient, GetCommand } = require(${JSON.stringify(path.join(outdir, 'dynamodb-sdk.js'))})
      const server = require('node:http').createServer((req, res) => {
        const seen = { authorization: req.headers.authorization, token: req.headers['x-amz-security-token'] }
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}')
        console.log(JSON.stringify(seen))
      })
      server.listen(0, '127.0.0.1', async () => {
        const client = new DynamoDBClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:' + server.address().port, maxAttempts: 1 })
        try {
          await DynamoDBDocumentClient.from(client).send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }))
        } catch (err) {
          console.log(JSON.stringify({ error: err.name, message: err.message }))
        }
        client.destroy()
        server.close()
      })`
    const child = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' })
    return child.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string>)
  }

  it('signs with the credentials Lambda puts in the environment, session token included', () => {
    const [seen] = signedBy({ AWS_ACCESS_KEY_ID: 'ASIABUNDLETEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session-token' })

    expect(seen.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIABUNDLETEST\/\d{8}\/eu-west-1\/dynamodb\/aws4_request/)
    expect(seen.token).toBe('session-token')
  })

  it('without them, fails the call with the SDK’s own credentials error and sends nothing', () => {
    const printed = signedBy({})

    expect(printed).toEqual([{ error: 'CredentialsProviderError', message: 'Unable to find environment variable credentials.' }])
  })
})
