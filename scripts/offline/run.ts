/**
 * `npm run offline`: the Lambda build on a laptop. Builds the bundles, packages the stack as a deploy
 * would (`serverless package`, no AWS access), unpacks every function's zip into one empty folder
 * outside the project (no node_modules or sources to fall back on, as in /var/task), starts an
 * embedded DynamoDB (dynalite) with the table, and runs serverless-offline on those files: an emulated
 * HTTP API on 127.0.0.1 that routes to `api` and the peeled-off functions as serverless.yml says.
 * In front of it, on the same port, what CloudFront does: each path goes where the distribution's
 * behaviours send it (scripts/site-routing.cjs, from dist/site.json: the app's own paths and each
 * mount's to the API, the rest to the SPA), and the SPA's paths go through the same routing function,
 * then to public/ as the bucket holds it (403 for a file it does not have, as S3 answers CloudFront).
 * The streamed paths go to an emulated function URL that streams (function-url.cjs), as the
 * distribution sends them to the `stream` function's URL: serverless-offline has no function URLs.
 *
 *   npm run offline [-- --port 4000] [--no-build]
 *
 * Environment: JWT_SECRET (default: a random one per run), CORS_ORIGINS (default: none), APP_URL (default:
 * the served URL), MAIL_FROM (default: a local sender; a password-reset email fails to send offline), PORT.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { createInterface } from 'node:readline'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { inflateRawSync } from 'node:zlib'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createDocumentClient } from '../../app/db/client'
import { startEmbeddedDynamo } from '../../app/db/embedded'
import { ensureTable } from '../../app/db/table'
import routing from '../site-routing.cjs'
import { localEnvironment } from './environment.cjs'

const root = path.resolve(__dirname, '../..')
const stage = 'offline'
const tableName = `notes-${stage}-notes`

export interface OfflineStack {
  /** Where a browser goes: the SPA and the API on one origin. */
  url: string
  /** serverless-offline's emulated HTTP API alone, as the API's own URL is on AWS (answers buffered). */
  apiUrl: string
  /** The folder the zips were unpacked into. */
  taskDir: string
  stop(): Promise<void>
}

/** Builds, packages, unpacks and serves; resolves once the emulated API answers. */
export async function startOffline(
  options: {
    port?: number
    build?: boolean
    log?: (line: string) => void
    /** Also write serverless-offline's output (the functions' logs) to this process's. */
    echo?: boolean
    /** Runs on the new table before the functions start, e.g. to import users (scripts/import-users.ts). */
    prepare?: (db: DynamoDBDocumentClient, tableName: string) => Promise<void>
  } = {},
): Promise<OfflineStack> {
  const log = options.log ?? ((line: string) => console.log(line))
  const work = mkdtempSync(path.join(tmpdir(), 'notes-offline-'))
  const taskDir = path.join(work, 'task')
  if (options.build !== false) {
    log('  Building the Lambda bundles ...')
    run(process.execPath, [path.join(root, 'scripts/build-lambda.mjs'), '--quiet'])
  }
  log('  Packaging (serverless package) ...')
  run(process.execPath, [
    path.join(root, 'node_modules/serverless/bin/serverless.js'),
    'package',
    '--stage',
    stage,
    '--package',
    path.join(work, 'package'),
  ])
  for (const zip of readdirSync(path.join(work, 'package')).filter((f) => f.endsWith('.zip')))
    unzip(path.join(work, 'package', zip), taskDir)
  const template = JSON.parse(readFileSync(path.join(work, 'package', 'cloudformation-template-update-stack.json'), 'utf8')) as Template

  const dynamo = await startEmbeddedDynamo()
  const db = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: dynamo.endpoint })
  await ensureTable(db, tableName)
  await options.prepare?.(db, tableName)
  db.destroy()

  const [apiPort, lambdaPort, freeFrontPort] = await freePorts(3)
  const frontPort = options.port ?? freeFrontPort
  // What the functions get where CloudFormation would resolve it: the same in serverless-offline and the function URLs.
  const resolved = {
    JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
    CORS_ORIGINS: process.env.CORS_ORIGINS ?? '',
    // Password-reset links open the SPA here; emails would go to SES (none is reached offline: the send fails, logged).
    APP_URL: process.env.APP_URL ?? `http://127.0.0.1:${frontPort}`,
    MAIL_FROM: process.env.MAIL_FROM ?? 'Notes <no-reply@localhost>',
  }
  const offline = spawn(
    process.execPath,
    [
      path.join(root, 'node_modules/serverless/bin/serverless.js'),
      'offline',
      'start',
      '--stage',
      stage,
      '--httpPort',
      String(apiPort),
      '--lambdaPort',
      String(lambdaPort),
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        OFFLINE_TASK_DIR: taskDir,
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        ...resolved,
        // Any credentials do for dynalite; none are needed to emulate API Gateway.
        AWS_ACCESS_KEY_ID: 'offline',
        AWS_SECRET_ACCESS_KEY: 'offline',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    },
  )
  const output: string[] = []
  for (const [stream, to] of [
    [offline.stdout, process.stdout],
    [offline.stderr, process.stderr],
  ] as const) {
    stream.on('data', (chunk: Buffer) => {
      output.push(chunk.toString())
      if (options.echo) to.write(chunk)
    })
  }
  await waitForServer(offline, apiPort, output)
  const streaming = await Promise.all(
    streamingUrls(template).map(async ({ origin, name, handler, environment }) => {
      const env = {
        PATH: process.env.PATH,
        AWS_LAMBDA_FUNCTION_NAME: name,
        AWS_REGION: 'us-east-1',
        ...localEnvironment(environment, { ...process.env, ...resolved }),
        DYNAMODB_ENDPOINT: dynamo.endpoint,
      }
      return { origin, ...(await startFunctionUrl(taskDir, handler, env, options.echo)) }
    }),
  )

  const origins = Object.fromEntries(streaming.map(({ origin, url }) => [origin, url]))
  const front = frontServer(`http://127.0.0.1:${apiPort}`, origins, path.join(root, 'public'), routing.readSite(root))
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject)
    front.listen(frontPort, '127.0.0.1', () => resolve())
  })
  const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`
  return {
    url,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    taskDir,
    async stop() {
      front.closeAllConnections()
      await new Promise<void>((resolve) => front.close(() => resolve()))
      await Promise.all(streaming.map(({ child }) => stopChild(child)))
      await stopChild(offline)
      await dynamo.close()
      rmSync(work, { recursive: true, force: true })
    },
  }
}

function run(command: string, args: string[]): void {
  const env = { ...process.env, OFFLINE_TASK_DIR: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', env })
  if (result.status !== 0) throw new Error(`${path.basename(args[0])} ${args[1] ?? ''} failed:\n${result.stdout}\n${result.stderr}`)
}

/** Extracts a zip as serverless package writes it (stored or deflated entries) into `dir`. */
export function unzip(file: string, dir: string): void {
  const zip = readFileSync(file)
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  const count = zip.readUInt16LE(end + 10)
  let at = zip.readUInt32LE(end + 16)
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10)
    const compressedSize = zip.readUInt32LE(at + 20)
    const nameLength = zip.readUInt16LE(at + 28)
    const localHeader = zip.readUInt32LE(at + 42)
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength)
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
    const target = path.resolve(dir, name)
    if (!target.startsWith(path.resolve(dir) + path.sep)) throw new Error(`${file}: entry ${name} points outside the folder`)
    if (name.endsWith('/')) continue
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28)
    const data = zip.subarray(dataStart, dataStart + compressedSize)
    mkdirSync(path.dirname(target), { recursive: true })
    writeFileSync(target, method === 8 ? inflateRawSync(data) : data)
  }
}

/** The parts of the packaged CloudFormation template read here. */
interface Template {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>
}

/**
 * The function URLs that stream (InvokeMode RESPONSE_STREAM), each with the id of the distribution's
 * origin that is that URL, and its function's name, handler and environment.
 */
function streamingUrls(template: Template): { origin: string; name: string; handler: string; environment: Record<string, unknown> }[] {
  const { Resources } = template
  const distribution = Object.values(Resources).find((r) => r.Type === 'AWS::CloudFront::Distribution')
  const origins =
    (distribution?.Properties.DistributionConfig as { Origins: { Id: string; DomainName: unknown }[] } | undefined)?.Origins ?? []
  return Object.entries(Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Url' && r.Properties.InvokeMode === 'RESPONSE_STREAM')
    .flatMap(([urlId, url]) => {
      const origin = origins.find((o) => JSON.stringify(o.DomainName).includes(`"${urlId}"`))
      if (!origin) return []
      const functionId = (url.Properties.TargetFunctionArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]
      const fn = Resources[functionId].Properties as {
        FunctionName: string
        Handler: string
        Environment?: { Variables: Record<string, unknown> }
      }
      return [{ origin: origin.Id, name: fn.FunctionName, handler: fn.Handler, environment: fn.Environment?.Variables ?? {} }]
    })
}

/** Starts function-url.cjs for `handler` (such as `dist/lambda.streamHandler`) in `taskDir`; resolves with its URL once it listens. */
async function startFunctionUrl(taskDir: string, handler: string, env: NodeJS.ProcessEnv, echo?: boolean) {
  const [, modulePath, exportName] = /^(.*)\.([^.]+)$/.exec(handler)!
  const child = spawn(process.execPath, [path.join(__dirname, 'function-url.cjs'), `${modulePath}.js`, exportName], {
    cwd: taskDir,
    stdio: ['ignore', 'pipe', echo ? 'inherit' : 'ignore'],
    env: {
      ...env,
      AWS_ACCESS_KEY_ID: 'offline',
      AWS_SECRET_ACCESS_KEY: 'offline',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  })
  const port = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the function URL for ${handler} exited (${code})`)))
    createInterface({ input: child.stdout }).on('line', (line) => {
      const listening = /^LISTENING (\d+)$/.exec(line)
      if (listening) resolve(listening[1])
      else if (echo) console.log(line) // the function's own log lines
    })
  })
  return { url: `http://127.0.0.1:${port}`, child }
}

/**
 * CloudFront in front of the emulated API and function URLs (`origins`, by the distribution's origin ids):
 * its behaviours and the SPA's routing function, from the files a deploy uses.
 */
function frontServer(
  api: string,
  origins: Record<string, string>,
  publicDir: string,
  site: ReturnType<typeof routing.readSite>,
): http.Server {
  const spaRoutes = routing.spaRoutes(site)
  return http.createServer((req, res) => {
    const uri = (req.url ?? '/').split('?')[0]
    const to = routing.originFor(site, uri)
    if (to === 'site') return fromBucket(req, res, publicDir, spaRoutes({ request: { uri } }).uri)
    const origin = origins[to] ?? api
    const upstream = http.request(`${origin}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders)
      answer.pipe(res)
    })
    upstream.on('error', (err) => {
      res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`serverless offline did not answer: ${err.message}`)
    })
    req.pipe(upstream)
  })
}

/** The SPA's bucket as CloudFront reaches it: GET and HEAD only, a key it holds, else S3's 403. */
function fromBucket(req: http.IncomingMessage, res: http.ServerResponse, publicDir: string, key: string): void {
  req.resume()
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(403, { 'content-type': 'text/plain' })
    return void res.end('This distribution is not configured to allow the HTTP request method that was used for this request.')
  }
  const file = path.join(publicDir, decodeURIComponent(key))
  if (!file.startsWith(publicDir + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(403, { 'content-type': 'application/xml' })
    return void res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>')
  }
  sendFile(res, file)
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.woff2': 'font/woff2',
}

function sendFile(res: http.ServerResponse, file: string): void {
  res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' })
  createReadStream(file).pipe(res)
}

async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => http.createServer())
  const ports = await Promise.all(
    servers.map(
      (server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))),
    ),
  )
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports
}

async function waitForServer(child: ChildProcess, port: number, output: string[]): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    if (child.exitCode !== null) throw new Error(`serverless offline exited (${child.exitCode}):\n${output.join('')}`)
    const up = await new Promise<boolean>((resolve) => {
      const probe = http.get(`http://127.0.0.1:${port}/health`, (res) => {
        res.resume()
        resolve(true)
      })
      probe.on('error', () => resolve(false))
    })
    if (up) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`serverless offline did not listen on ${port}:\n${output.join('')}`)
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGINT')
    setTimeout(() => child.kill('SIGKILL'), 5000).unref()
  })
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, 'no-build': { type: 'boolean' } } })
  const stack = await startOffline({ port: Number(values.port ?? process.env.PORT ?? 4000), build: !values['no-build'], echo: true })
  console.log(`\n  The packaged functions behind an emulated API Gateway, and the SPA: ${stack.url}/`)
  console.log(`  Functions unpacked in ${stack.taskDir}; table "${tableName}" in an in-memory dynalite. Ctrl-C stops.\n`)
  const stop = () => void stack.stop().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  })
}
