import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig } from '../app/config'
import { testSecret } from './helpers/app'
import request from 'supertest'
import { httpApiEvent } from './helpers/events'
import { signToken } from './helpers/tokens'
import { noMounts, swapMountsPlugin } from './packaging/shipped-bundle'

/**
 * What the Lambda bundle evaluates, and when. The bundle is built as `npm run build` builds it, plus
 * markers that record when the AWS SDK, jsonwebtoken, jose, bcryptjs, zod and qs run their module code, then
 * loaded by a fresh Node process: everything loads at start but the SDK, which waits for the first
 * database call, jose and bcryptjs, which only mounted apps use (app/deferred.ts says why), and qs,
 * which waits for an extended query string or form (scripts/build-lambda.mjs, leanDependencies).
 */
const root = path.resolve(__dirname, '..')
let outdir: string
let bundle: string

const watched = {
  'client-dynamodb': '@aws-sdk/client-dynamodb/dist-es/DynamoDBClient.js',
  'lib-dynamodb': '@aws-sdk/lib-dynamodb/dist-es/DynamoDBDocumentClient.js',
  jsonwebtoken: 'jsonwebtoken/index.js',
  jose: 'jose/dist/node/esm/index.js',
  bcryptjs: 'bcryptjs/index.js',
  zod: 'zod/v4/mini/schemas.js',
  qs: 'qs/lib/index.js',
}

/**
 * The copies of mime-types a bundle can hold: the app's own (3.x) and the 2.1.x that an Express 4 app
 * mounted in the migration layer brings.
 */
const mimeTypesCopies = [
  { name: 'mime-types', from: root },
  { name: 'express4-mime-types', from: path.join(root, 'node_modules/express4') },
]

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'notes-startup-'))
  const build = `
    import { readFileSync } from 'node:fs'
    import path from 'node:path'
    import { build } from 'esbuild'
    import { buildLambdas, bundleOptions, leanDependencies } from ${JSON.stringify(path.join(root, 'scripts/build-lambda.mjs'))}
    const watched = ${JSON.stringify(watched)}
    ${swapMountsPlugin(noMounts)}
    const marker = {
      name: 'evaluation-marker',
      setup(build) {
        build.onLoad({ filter: /node_modules/ }, (args) => {
          const name = Object.keys(watched).find((n) => args.path.endsWith(path.join('node_modules', watched[n])))
          if (!name) return undefined
          const mark = ';(globalThis.evaluated ??= []).push(' + JSON.stringify(name) + ');'
          return { contents: readFileSync(args.path, 'utf8') + '\\n' + mark, loader: 'js', resolveDir: path.dirname(args.path) }
        })
      },
    }
    await buildLambdas({ outdir: ${JSON.stringify(outdir)}, only: 'lambda', plugins: [marker, swapMounts] })
    for (const [name, from] of ${JSON.stringify(mimeTypesCopies.map(({ name, from }) => [name, from]))}) {
      await build({
        ...bundleOptions,
        stdin: { contents: "module.exports = require('mime-types')", resolveDir: from },
        outfile: path.join(${JSON.stringify(outdir)}, name + '.js'),
        plugins: [leanDependencies],
      })
    }
    await build({
      ...bundleOptions,
      stdin: { contents: "module.exports = require('express')", resolveDir: ${JSON.stringify(root)} },
      outfile: path.join(${JSON.stringify(outdir)}, 'express.js'),
      plugins: [leanDependencies],
    })
    await build({
      ...bundleOptions,
      stdin: { contents: "module.exports = () => import('@smithy/core/event-streams')", resolveDir: ${JSON.stringify(root)} },
      outfile: path.join(${JSON.stringify(outdir)}, 'event-streams.js'),
      plugins: [leanDependencies],
    })`
  const built = spawnSync(process.execPath, ['--input-type=module', '-e', build], { encoding: 'utf8', cwd: root })
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`)
  bundle = path.join(outdir, 'lambda.js')
}, 60_000)

afterAll(() => rmSync(outdir, { recursive: true, force: true }))

/**
 * Loads the bundle in a fresh process, invokes it with each event in turn and reports what had been
 * evaluated after each step, and whether Node had loaded undici, its fetch, by then (`process.moduleLoadList`).
 */
function coldStart(
  env: Record<string, string>,
  events: object[],
): { evaluated: string[][]; undici: boolean[]; results: { statusCode: number; body: string }[] } {
  const runner = `
    const steps = []
    const undici = []
    const step = () => {
      steps.push([...(globalThis.evaluated ?? [])])
      undici.push(process.moduleLoadList.some((name) => name.includes('undici')))
    }
    const { handler } = require(${JSON.stringify(bundle)})
    step()
    ;(async () => {
      const results = []
      for (const event of ${JSON.stringify(events)}) {
        results.push(await handler(event, { awsRequestId: 'startup-test' }))
        step()
      }
      process.stderr.write('REPORT ' + JSON.stringify({ evaluated: steps, undici, results }) + '\\n')
    })()`
  const child = spawnSync(process.execPath, ['-e', runner], {
    env: {
      PATH: process.env.PATH,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_LAMBDA_FUNCTION_NAME: 'notes-startup',
      AWS_REGION: 'us-east-1',
      TABLE_NAME: 'notes',
      APP_URL: 'https://notes.example.com',
      MAIL_FROM: 'no-reply@example.com',
      ...env,
    },
    encoding: 'utf8',
    timeout: 20_000,
  })
  const report = child.stderr.split('\n').find((line) => line.startsWith('REPORT '))
  if (!report) throw new Error(`no report: ${child.stderr}`)
  return JSON.parse(report.slice(7))
}

const ownTokens = { JWT_SECRET: testSecret, DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' } // nothing listens on port 9: the list answers 503
const token = signToken(loadConfig({ JWT_SECRET: testSecret }))

describe('the Lambda bundle at cold start', () => {
  it('evaluates jsonwebtoken and zod at start, and neither the AWS SDK, which /health does not need, nor qs, which no route of the app uses', () => {
    const { evaluated, results } = coldStart(ownTokens, [httpApiEvent({ method: 'GET', path: '/health' })])

    expect(results[0].statusCode).toBe(200)
    expect(evaluated.map((step) => [...step].sort())).toEqual([
      ['jsonwebtoken', 'zod'],
      ['jsonwebtoken', 'zod'],
    ])
  })

  it('leaves the SDK for later in JWKS mode (JWT_JWKS_URI) too', () => {
    const { evaluated } = coldStart(
      {
        JWT_JWKS_URI: 'https://127.0.0.1:9/jwks.json',
        JWT_ISSUER: 'https://idp.example/',
        JWT_AUDIENCE: 'notes',
        CURSOR_SECRET: testSecret,
      },
      [],
    )

    expect([...evaluated[0]].sort()).toEqual(['jsonwebtoken', 'zod'])
  })

  it('loads the AWS SDK with the first database call and not before: neither a 401 nor /api/me needs it', () => {
    const { evaluated, results } = coldStart(ownTokens, [
      httpApiEvent({ method: 'GET', path: '/api/notes' }),
      httpApiEvent({ method: 'GET', path: '/api/me', headers: { Authorization: `Bearer ${token}` } }),
      httpApiEvent({ method: 'GET', path: '/api/notes', headers: { Authorization: `Bearer ${token}` } }),
    ])

    expect(results.map((r) => r.statusCode)).toEqual([401, 200, 503])
    expect(evaluated[2]).not.toContain('client-dynamodb')
    expect(evaluated[3]).toEqual(expect.arrayContaining(['client-dynamodb', 'lib-dynamodb']))
    // SES comes with the first password-reset email only.
    expect(evaluated.flat()).not.toContain('client-sesv2')
  })

  it('makes the first database call without loading undici, which the SDK pulled in with its import() of node:http', () => {
    const { undici, results } = coldStart(ownTokens, [
      httpApiEvent({ method: 'GET', path: '/api/notes', headers: { Authorization: `Bearer ${token}` } }),
    ])

    // The SDK's HTTP handler ran (503: nothing listens on port 9), and Node's ES module facade of
    // node:http, whose WebSocket getter loads undici, was never built (leanDependencies).
    expect(results[0].statusCode).toBe(503)
    expect(undici).toEqual([false, false])
  })

  it('keeps the SDKs out of dist/lambda.js, in dist/dynamodb-sdk.js and dist/ses-sdk.js, which the bundle requires by those paths', () => {
    const main = readFileSync(bundle, 'utf8')
    const sdk = readFileSync(path.join(outdir, 'dynamodb-sdk.js'), 'utf8')
    const ses = readFileSync(path.join(outdir, 'ses-sdk.js'), 'utf8')

    // The SDK's package metadata is bundled with its client: where it is, the SDK is.
    const sdkPackage = 'name:"@aws-sdk/client-dynamodb"'
    const sesPackage = 'name:"@aws-sdk/client-sesv2"'
    expect(main.includes(sdkPackage)).toBe(false)
    expect(sdk.includes(sdkPackage)).toBe(true)
    expect(main.includes(sesPackage)).toBe(false)
    expect(ses.includes(sesPackage)).toBe(true)
    // No jose.js: only mounted apps' sealed sessions load it, and a build without mounts holds none of app/existing.
    expect([...main.matchAll(/require\("\.\/[^"]*"\)/g)].map((m) => m[0]).sort()).toEqual([
      'require("./bcryptjs.js")',
      'require("./dynamodb-sdk.js")',
      'require("./ses-sdk.js")',
    ])
  })
})

describe('the AWS SDK in the Lambda bundles, without event streams', () => {
  it('holds none of their code in dist/dynamodb-sdk.js', () => {
    const meta = JSON.parse(readFileSync(path.join(outdir, 'dynamodb-sdk.meta.json'), 'utf8')) as { inputs: Record<string, unknown> }
    const inputs = Object.keys(meta.inputs)

    expect(inputs.some((input) => input.includes('@smithy/core/dist-es/'))).toBe(true)
    expect(inputs.filter((input) => input.includes('/event-streams/'))).toEqual([])
  })

  it('answers an operation that would stream events with an error that says why', async () => {
    const load = createRequire(__filename)(path.join(outdir, 'event-streams.js')) as () => Promise<{
      eventStreamSerdeProvider: () => unknown
      EventStreamSerde: new () => unknown
    }>
    const { eventStreamSerdeProvider, EventStreamSerde } = await load()

    expect(() => eventStreamSerdeProvider()).toThrow(/event streams are left out of this bundle \(leanDependencies/)
    expect(() => new EventStreamSerde()).toThrow(/left out of this bundle/)
  })
})

describe('Express in the Lambda bundle, with qs loaded on first use', () => {
  it('parses extended query strings and forms as Express with qs does', async () => {
    const bundled = createRequire(__filename)(path.join(outdir, 'express.js')) as typeof import('express')
    const app = bundled()
    app.set('query parser', 'extended')
    app.use(bundled.urlencoded({ extended: true }))
    app.post('/', (req, res) => void res.json({ query: req.query, body: req.body as unknown }))

    const res = await request(app).post('/?a[b]=1&a[c]=2').type('form').send('x[y]=3&x[z][]=4&x[z][]=5')

    expect(res.body).toEqual({ query: { a: { b: '1', c: '2' } }, body: { x: { y: '3', z: ['4', '5'] } } })
  })
})

describe('the Lambda bundle without legacy charsets', () => {
  const register = (contentType: string, body: Buffer) => {
    const event = httpApiEvent({ method: 'POST', path: '/auth/register', headers: { 'Content-Type': contentType } })
    return {
      ...event,
      body: body.toString('base64'),
      isBase64Encoded: true,
      headers: { ...event.headers, 'content-length': String(body.length) },
    }
  }
  const json = JSON.stringify({ email: 'charset@example.com' })

  it.each([
    ['utf-8', Buffer.from(json, 'utf8')],
    ['utf-16le', Buffer.from(json, 'utf16le')],
    ['utf-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')])],
  ])('still decodes a JSON body in %s (the password is reported missing, not the JSON invalid)', (charset, body) => {
    const { results } = coldStart(ownTokens, [register(`application/json; charset=${charset}`, body)])

    expect(results[0].statusCode).toBe(400)
    expect(JSON.parse(results[0].body).errors).toEqual([expect.objectContaining({ path: 'body.password' })])
  })

  it('answers a JSON body in a non-Unicode charset with 415, as before', () => {
    const { results } = coldStart(ownTokens, [register('application/json; charset=iso-8859-1', Buffer.from(json, 'latin1'))])

    expect(results[0].statusCode).toBe(415)
  })
})

/** The part of mime-types' API that reads mime-db. */
interface MimeTypes {
  charset(type: string): string | false
  contentType(type: string): string | false
  extension(type: string): string | false
  lookup(path: string): string | false
  types: Record<string, string>
}

describe.each(mimeTypesCopies)('$name in the Lambda bundle, over its trimmed mime-db', ({ name, from }) => {
  it('gives the answers of the whole mime-db for every type and extension', () => {
    const load = createRequire(path.join(from, 'index.js'))
    const full = load('mime-types') as MimeTypes
    const bundled = load(path.join(outdir, `${name}.js`)) as MimeTypes
    const types = [
      ...Object.keys(createRequire(load.resolve('mime-types'))('mime-db') as object),
      'application/problem+json',
      'text/x-unknown',
      'application/x-unknown',
      'application/json; charset=utf-8',
    ]
    const extensions = [...Object.keys(full.types), 'bin', 'json', 'html', 'no-such-extension']
    const answers = (mime: MimeTypes) => ({
      types: types.map((type) => [mime.charset(type), mime.contentType(type), mime.extension(type)]),
      extensions: extensions.map((ext) => [mime.lookup(ext), mime.contentType(ext)]),
    })

    expect(Object.keys(full.types).length).toBeGreaterThan(500)
    expect(answers(bundled)).toEqual(answers(full))
  })
})
