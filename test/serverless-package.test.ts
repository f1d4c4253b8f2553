import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { tableDefinition } from '../app/db/table'
import { loadConfig } from '../app/config'
import { testSecret } from './helpers/app'
import { httpApiEvent } from './helpers/events'
import { signToken } from './helpers/tokens'
import { bodyBytes, buildWithMounts, noMounts, runShippedBundle } from './packaging/shipped-bundle'

/**
 * `npx serverless package` (osls) with no AWS credentials and no network: the CloudFormation it
 * writes for a stage, with the authorizer off (the default) and switched on, and with the api on
 * Lambda Managed Instances. Any attempt to open
 * a socket or resolve a name is recorded by a preloaded guard and fails the test. The functions and
 * their zips are the ones serverless.yml declares (read from the packaged service state), so adding
 * a function needs no change here. The first stack is built with a server-rendered app mounted
 * (test/packaging/fixtures/ejs-shop), so its zip must carry the app's views and assets.
 */
const root = path.resolve(__dirname, '..')
let work: string
let networkLog: string
let off: Packaged
let on: Packaged

interface Packaged {
  dir: string
  template: { Resources: Record<string, Resource>; Outputs: Record<string, unknown>; Conditions?: Record<string, unknown> }
  /** Every function serverless.yml declares for the stack, by its key, with its handler. */
  functions: Record<string, { name: string; handler: string }>
  /** The entries of each function's zip, by function key. */
  artifacts: Record<string, string[]>
}

/** CloudFormation as parsed JSON: the tests reach into it by the paths its documentation gives. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

interface Resource {
  Type: string
  Properties: Record<string, Json>
  DependsOn?: string | string[]
}

/** Records every outbound connection or DNS lookup a process makes, without blocking it. */
const networkGuard = `
const fs = require('node:fs'), net = require('node:net'), tls = require('node:tls'), dns = require('node:dns')
const log = (what) => fs.appendFileSync(process.env.NETWORK_LOG, process.pid + ' ' + what + '\\n')
log('guarded ' + process.argv.slice(1, 3).join(' '))
const target = (args) => { const o = args[0] !== null && typeof args[0] === 'object' ? args[0] : { port: args[0], host: args[1] }; return o.path ? undefined : (o.host || o.servername) + ':' + o.port }
for (const [mod, name] of [[net, 'connect'], [net, 'createConnection'], [tls, 'connect']]) {
  const original = mod[name]
  mod[name] = function (...args) { const t = target(args); if (t) log(name + ' ' + t); return original.apply(this, args) }
}
const socketConnect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) { const t = target(args); if (t) log('socket ' + t); return socketConnect.apply(this, args) }
for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6']) {
  const original = dns[name]
  dns[name] = function (host, ...rest) { log(name + ' ' + host); return original.call(this, host, ...rest) }
}
`

function packageStack(name: string, args: string[]): Packaged {
  const out = path.join(work, name)
  const result = spawnSync('npx', ['serverless', 'package', '--package', out, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      // A home of its own: no ~/.aws credentials or config, no npm user config.
      HOME: path.join(work, 'home'),
      NODE_OPTIONS: `--require ${path.join(work, 'network-guard.js')}`,
      NETWORK_LOG: networkLog,
      // npx would otherwise ask the registry whether a newer npm exists.
      npm_config_update_notifier: 'false',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  })
  if (result.status !== 0) throw new Error(`serverless package ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`)
  const template = JSON.parse(readFileSync(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8'))
  const state = JSON.parse(readFileSync(path.join(out, 'serverless-state.json'), 'utf8'))
  const functions: Packaged['functions'] = {}
  const artifacts: Record<string, string[]> = {}
  for (const [key, fn] of Object.entries<{ name: string; handler: string }>(state.service.functions)) {
    functions[key] = { name: fn.name, handler: fn.handler }
    artifacts[key] = zipEntries(readFileSync(path.join(out, `${key}.zip`)))
  }
  return { dir: out, template, functions, artifacts }
}

/** Every bundle into dist/, with `mountsSource` as app/existing/mounts.ts (none by default, whatever the checkout lists). */
function buildLambdas(mountsSource = noMounts) {
  for (const name of ['lambda', 'changes', 'authorizer', 'export-notes'])
    rmSync(path.join(root, 'dist', `${name}.files`), { recursive: true, force: true })
  const built = buildWithMounts(path.join(root, 'dist'), mountsSource, { every: true })
  if (!built.ok) throw new Error(`build failed: ${built.stderr}`)
}

const withEjsShop = `
import { mount, type Mount } from './mount'
import shop from '../../test/packaging/fixtures/ejs-shop/app'

export const mounts: Mount[] = [mount('/shop', shop)]
`

/** The names in a zip's central directory. */
function zipEntries(zip: Buffer): string[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  const count = zip.readUInt16LE(end + 10)
  let at = zip.readUInt32LE(end + 16)
  const names: string[] = []
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28)
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength))
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
  }
  return names
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'notes-sls-'))
  networkLog = path.join(work, 'network.log')
  writeFileSync(networkLog, '')
  writeFileSync(path.join(work, 'network-guard.js'), networkGuard)
  // The bundles with a mounted app, then without mounts.
  buildLambdas(withEjsShop)
  off = packageStack('off', ['--stage', 'ci'])
  buildLambdas()
  on = packageStack('on', [
    '--stage',
    'ci2',
    '--param=authorizer=true',
    '--param=mailFrom=Notes <no-reply@example.com>',
    '--param=mailIdentity=example.com',
  ])
}, 360_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

/** The files of the packages the bundles load on first use (app/deferred.ts), with their maps. */
const deferred = readdirSync(path.join(root, 'app/deferred')).flatMap((file) => {
  const bundle = `dist/${file.replace(/\.ts$/, '.js')}`
  return [bundle, `${bundle}.map`]
})

const ofType = (p: Packaged, type: string) => Object.entries(p.template.Resources).filter(([, r]) => r.Type === type)
const one = (p: Packaged, type: string): [string, Resource] => {
  const found = ofType(p, type)
  expect(found.map(([id]) => id)).toHaveLength(1)
  return found[0]
}

describe('serverless package, offline', () => {
  it('opens no connection and resolves no name while packaging', () => {
    const lines = readFileSync(networkLog, 'utf8').trim().split('\n')
    const [guarded, attempts] = [lines.filter((l) => / guarded /.test(l)), lines.filter((l) => !/ guarded /.test(l))]

    // The guard ran in npx and in osls itself, so its silence means something.
    expect(guarded.some((l) => /node_modules\/.bin\/serverless package/.test(l))).toBe(true)
    expect(attempts).toEqual([])
  })

  it('declares every part of the stack', () => {
    const types = Object.values(off.template.Resources).map((r) => r.Type)

    for (const type of [
      'AWS::Lambda::Function',
      'AWS::DynamoDB::Table',
      'AWS::Lambda::EventSourceMapping',
      'AWS::SNS::Topic',
      'AWS::ApiGatewayV2::Api',
      'AWS::ApiGatewayV2::Stage',
      'AWS::ApiGatewayV2::Route',
      'AWS::S3::Bucket',
      'AWS::S3::BucketPolicy',
      'AWS::CloudFront::Distribution',
      'AWS::CloudFront::OriginAccessControl',
      'AWS::IAM::Role',
      'AWS::Logs::LogGroup',
      'AWS::SES::ConfigurationSet',
    ]) {
      expect({ type, present: types.includes(type) }).toEqual({ type, present: true })
    }
    expect(off.template.Outputs).toEqual(
      expect.objectContaining({
        HttpApiUrl: expect.anything(),
        SiteUrl: expect.anything(),
        SiteBucketName: expect.anything(),
        ChangesTopicArn: expect.anything(),
      }),
    )
  })

  it.each([
    ['authorizer off', () => off],
    ['authorizer on', () => on],
  ])('runs every function serverless.yml declares on nodejs22.x from its bundle, and deploys nothing else (%s)', (_name, stack) => {
    const p = stack()
    const fns = Object.fromEntries(ofType(p, 'AWS::Lambda::Function').map(([, r]) => [r.Properties.FunctionName, r.Properties]))
    const declared = Object.values(p.functions)

    expect(Object.keys(fns).sort()).toEqual(declared.map((fn) => fn.name).sort())
    for (const [key, { name, handler }] of Object.entries(p.functions)) {
      const bundle = handler.replace(/\.\w+$/, '') // dist/lambda.handler, dist/lambda.streamHandler: dist/lambda
      expect({ key, ...fns[name] }).toMatchObject({ key, Runtime: 'nodejs22.x', Handler: handler })
      // The bundle, its map, the files of the packages it loads on first use (app/deferred.ts), and only
      // the files it reads at run time (dist/<bundle>.files/) beside it.
      const shipped = p.artifacts[key].filter((e) => !e.startsWith(`${bundle}.files/`))
      const allowed = [`${bundle}.js`, `${bundle}.js.map`, ...deferred]
      expect({ key, entries: shipped }).toEqual({ key, entries: expect.arrayContaining([`${bundle}.js`]) })
      expect({ key, entries: shipped.filter((e) => !allowed.includes(e)) }).toEqual({ key, entries: [] })
      // Whatever the bundle requires beside it is in its zip.
      const besideIt = [...readFileSync(path.join(root, `${bundle}.js`), 'utf8').matchAll(/require\("\.\/([^"]+)"\)/g)].map(
        (m) => `dist/${m[1]}`,
      )
      expect({ key, missing: besideIt.filter((file) => !shipped.includes(file)) }).toEqual({ key, missing: [] })
    }
    const sorted = Object.fromEntries(
      Object.entries(p.artifacts).map(([fn, files]) => [fn, files.filter((f) => !f.includes('.files/')).sort()]),
    )
    expect(sorted).toMatchObject({
      api: [...deferred, 'dist/lambda.js', 'dist/lambda.js.map'].sort(),
      changes: ['dist/changes.js'],
      exportNotes: [...deferred, 'dist/export-notes.js', 'dist/export-notes.js.map'].sort(),
    })
  })

  it('declares the functions this project has, each with its own bundle', () => {
    expect(off.functions).toMatchObject({
      api: { handler: 'dist/lambda.handler' },
      changes: { handler: 'dist/changes.handler' },
      exportNotes: { handler: 'dist/export-notes.handler' },
    })
    expect(on.functions.authorizer).toMatchObject({ handler: 'dist/authorizer.handler' })
    expect(off.functions.authorizer).toBeUndefined()
  })

  it('puts a mounted app in the api zip as its files, with their layout, beside the bundle, with its dependencies', () => {
    const shipped = 'dist/lambda.files/test/packaging/fixtures/ejs-shop'
    const files = off.artifacts.api.filter((e) => e.startsWith('dist/lambda.files/'))

    expect(files.filter((e) => e.startsWith(`${shipped}/`)).sort()).toEqual(
      ['app.js', 'package.json', 'public/img/logo.png', 'public/style.css', 'views/index.ejs', 'views/partials/header.ejs']
        .map((f) => `${shipped}/${f}`)
        .sort(),
    )
    // Its dependencies, and nothing else of the project or its node_modules.
    const packages = new Set(
      files.filter((e) => !e.startsWith(`${shipped}/`)).map((e) => /^dist\/lambda\.files\/node_modules\/([^/]+)\//.exec(e)?.[1]),
    )
    expect(packages.has(undefined)).toBe(false)
    expect([...packages]).toEqual(expect.arrayContaining(['ejs', 'express4']))
    expect([...packages]).not.toEqual(expect.arrayContaining(['jsonwebtoken']))
    // Built without mounts, the zip holds the bundle alone.
    expect(on.artifacts.api.sort()).toEqual([...deferred, 'dist/lambda.js', 'dist/lambda.js.map'].sort())
  })

  it('answers from the api zip unpacked into an empty folder: the mounted app’s page and its image', async () => {
    const task = mkdtempSync(path.join(tmpdir(), 'notes-unzipped-api-'))
    try {
      mkdirSync(task, { recursive: true })
      const unzip = spawnSync('unzip', ['-q', path.join(off.dir, 'api.zip'), '-d', task], { encoding: 'utf8' })
      expect(unzip.status).toBe(0)
      expect(existsSync(path.join(task, 'node_modules'))).toBe(false)
      const token = signToken(loadConfig({ JWT_SECRET: testSecret }), { sub: 'user-ada' })
      const headers = { Authorization: `Bearer ${token}` }
      const run = await runShippedBundle(task, [
        httpApiEvent({ method: 'GET', path: '/shop/', headers }),
        httpApiEvent({ method: 'GET', path: '/shop/img/logo.png', headers }),
      ])
      const [page, image] = run.results

      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('<h1 class="ejs-title">Shop</h1>')
      expect(bodyBytes(image).equals(readFileSync(path.join(root, 'test/packaging/fixtures/ejs-shop/public/img/logo.png')))).toBe(true)
    } finally {
      rmSync(task, { recursive: true, force: true })
    }
  }, 60_000)

  it('creates the table exactly as app/db/table.ts defines it, with the stream and TTL on expiresAt', () => {
    const [, table] = one(off, 'AWS::DynamoDB::Table')
    const { TableName: _name, ...definition } = tableDefinition('ignored')

    expect(table.Properties).toMatchObject(definition)
    expect(table.Properties.TableName).toBe('notes-ci-notes')
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' })
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true })
  })

  it('gives each stage its own table and function names', () => {
    const names = (p: Packaged) => [
      one(p, 'AWS::DynamoDB::Table')[1].Properties.TableName,
      one(p, 'AWS::SNS::Topic')[1].Properties.TopicName,
    ]

    expect(names(off)).toEqual(['notes-ci-notes', 'notes-ci-changes'])
    expect(names(on)).toEqual(['notes-ci2-notes', 'notes-ci2-changes'])
  })

  it('feeds the changes function from the table stream with bisect and partial batch failures', () => {
    const [, mapping] = one(off, 'AWS::Lambda::EventSourceMapping')

    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['NotesTable', 'StreamArn'] },
      FunctionName: { 'Fn::GetAtt': ['ChangesLambdaFunction', 'Arn'] },
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'TRIM_HORIZON',
    })
    expect(mapping.Properties.MaximumRetryAttempts).toBeGreaterThan(0)
    const changes = off.template.Resources.ChangesLambdaFunction.Properties
    expect(changes.Environment.Variables).toEqual({ CHANGES_TOPIC_ARN: { Ref: 'ChangesTopic' } })
  })

  it('reads JWT_SECRET from SSM Parameter Store through a CloudFormation dynamic reference', () => {
    const env = off.template.Resources.ApiLambdaFunction.Properties.Environment.Variables

    expect(env.JWT_SECRET).toBe('{{resolve:ssm:/notes/ci/jwt-secret}}')
    expect(env.TABLE_NAME).toBe('notes-ci-notes')
    // Empty: the app's own sign-in and its default issuer and audience.
    expect([env.JWT_JWKS_URI, env.JWT_ISSUER, env.JWT_AUDIENCE]).toEqual(['', '', ''])
    expect(env.CORS_ORIGINS).toEqual({
      'Fn::If': ['CorsFromCloudFront', { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['SiteDistribution', 'DomainName'] }]] }, ''],
    })
  })

  it('gives the api what password-reset emails need: the SPA’s URL, the sender and the stack’s SES configuration set', () => {
    const env = (p: Packaged) => p.template.Resources.ApiLambdaFunction.Properties.Environment.Variables
    const cloudFront = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['SiteDistribution', 'DomainName'] }]] }

    expect(env(off).APP_URL).toEqual({ 'Fn::If': ['AppUrlFromCloudFront', cloudFront, ''] })
    expect(env(off).MAIL_FROM).toBe('') // the api refuses to start until a deployment names its sender
    expect(env(on).MAIL_FROM).toBe('Notes <no-reply@example.com>')
    expect(env(off).SES_CONFIGURATION_SET).toEqual({ Ref: 'MailConfigurationSet' })
    expect(off.template.Resources.MailConfigurationSet.Properties).toMatchObject({
      Name: 'notes-ci',
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    })
  })

  it('keeps every log group for a set number of days', () => {
    const groups = ofType(off, 'AWS::Logs::LogGroup')

    expect(groups.length).toBeGreaterThanOrEqual(3)
    for (const [id, group] of groups) expect({ id, days: group.Properties.RetentionInDays }).toEqual({ id, days: 14 })
  })

  it('throttles the HTTP API stage', () => {
    const [, stage] = one(off, 'AWS::ApiGatewayV2::Stage')

    expect(stage.Properties.StageName).toBe('$default')
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 })
  })

  it('serves the SPA from a private bucket through CloudFront with origin access control and an index.html fallback', () => {
    const [, distribution] = one(off, 'AWS::CloudFront::Distribution')
    const config = distribution.Properties.DistributionConfig
    const site = off.template.Resources.SiteBucket.Properties
    const policy = off.template.Resources.SiteBucketPolicy.Properties.PolicyDocument.Statement

    expect(site.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    })
    expect(config.Origins[0]).toMatchObject({
      OriginAccessControlId: { 'Fn::GetAtt': ['SiteOriginAccessControl', 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    })
    expect(config.DefaultRootObject).toBe('index.html')
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      ResponseHeadersPolicyId: { Ref: 'SiteResponseHeadersPolicy' },
      FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': ['SpaRoutes', 'FunctionARN'] } }],
    })
    expect(policy[0]).toMatchObject({ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' })
    expect(policy[0].Condition.StringEquals['AWS:SourceArn']).toBeDefined()
  })

  describe('IAM', () => {
    const statements = (p: Packaged, roleId: string) =>
      p.template.Resources[roleId].Properties.Policies.flatMap((policy: Json) => policy.PolicyDocument.Statement) as {
        Effect: string
        Action: string | string[]
        Resource: unknown
      }[]
    const actions = (p: Packaged, roleId: string) => statements(p, roleId).flatMap((s) => s.Action)
    const table = { 'Fn::GetAtt': ['NotesTable', 'Arn'] }
    const index = (name: string) => ({ 'Fn::Join': ['', [table, `/index/${name}`]] })
    const sesArn = (resource: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:${resource}` })
    const mailIdentity = (p: Packaged) => sesArn(`identity/${p === on ? 'example.com' : ''}`)
    const mailConfigurationSet = sesArn('configuration-set/${MailConfigurationSet}')
    const allowed = (p: Packaged) => [
      table,
      index('live'),
      index('trash'),
      { 'Fn::GetAtt': ['NotesTable', 'StreamArn'] },
      { Ref: 'ChangesTopic' },
      mailIdentity(p),
      mailConfigurationSet,
      ...ofType(p, 'AWS::Logs::LogGroup').map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] })),
    ]

    it.each([
      ['authorizer off', () => off],
      ['authorizer on', () => on],
    ])('names only the table, its indexes, its stream, the topic and the functions’ own log groups (%s)', (_name, stack) => {
      const p = stack()
      const roles = ofType(p, 'AWS::IAM::Role').map(([id]) => id)

      expect(roles.length).toBeGreaterThan(0)
      expect(p.template.Resources.IamRoleLambdaExecution).toBeUndefined()
      for (const id of roles) {
        for (const statement of statements(p, id)) {
          expect(statement.Effect).toBe('Allow')
          for (const resource of [statement.Resource].flat()) expect(allowed(p)).toContainEqual(resource)
        }
      }
    })

    it('lets the api read and write the table and its indexes, and nothing of SNS or the stream', () => {
      expect(off.template.Resources.ApiLambdaFunction.Properties.Role).toEqual({ 'Fn::GetAtt': ['ApiRole', 'Arn'] })
      expect(
        actions(off, 'ApiRole')
          .filter((a) => a.startsWith('dynamodb:'))
          .sort(),
      ).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'])
      expect(actions(off, 'ApiRole').some((a) => a.startsWith('sns:'))).toBe(false)
    })

    it('lets only the api send email, only SendEmail, from the one identity in the stack’s configuration set', () => {
      const sends = (p: Packaged) =>
        ofType(p, 'AWS::IAM::Role').flatMap(([id]) =>
          statements(p, id)
            .filter((s) => [s.Action].flat().some((a) => a.startsWith('ses:')))
            .map((s) => ({ id, ...s })),
        )

      expect(sends(on)).toEqual([
        { id: 'ApiRole', Effect: 'Allow', Action: 'ses:SendEmail', Resource: [mailIdentity(on), mailConfigurationSet] },
      ])
      expect(sends(off).map((s) => s.id)).toEqual(['ApiRole'])
    })

    it('lets changes read the stream and publish to the topic, and write nothing to the table', () => {
      expect(off.template.Resources.ChangesLambdaFunction.Properties.Role).toEqual({ 'Fn::GetAtt': ['ChangesRole', 'Arn'] })
      expect(actions(off, 'ChangesRole').sort()).toEqual(
        [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'sns:Publish',
        ].sort(),
      )
      const stream = statements(off, 'ChangesRole').find((s) => [s.Action].flat().includes('dynamodb:GetRecords'))
      expect(stream?.Resource).toEqual({ 'Fn::GetAtt': ['NotesTable', 'StreamArn'] })
    })
  })

  describe('the authorizer switch', () => {
    it('is off by default: the $default route and the peeled-off route, no authorizer', () => {
      const routes = ofType(off, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties)

      expect(routes.map((r) => r.RouteKey).sort()).toEqual(['$default', 'GET /api/notes/export'])
      for (const route of routes) expect(route.AuthorizationType).toBeUndefined()
      expect(ofType(off, 'AWS::ApiGatewayV2::Authorizer')).toHaveLength(0)
      expect(off.template.Resources.AuthorizerLambdaFunction).toBeUndefined()
    })

    it('with --param="authorizer=true" puts a request authorizer with simple responses on /api/*', () => {
      const [authorizerId, authorizer] = one(on, 'AWS::ApiGatewayV2::Authorizer')
      const routes = Object.fromEntries(ofType(on, 'AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties.RouteKey, r.Properties]))
      const fn = on.template.Resources.AuthorizerLambdaFunction.Properties

      expect(authorizer.Properties).toMatchObject({
        AuthorizerType: 'REQUEST',
        EnableSimpleResponses: true,
        AuthorizerPayloadFormatVersion: '2.0',
        IdentitySource: ['$request.header.Authorization'],
      })
      expect(routes['ANY /api/{proxy+}']).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } })
      expect(routes['GET /api/notes/export']).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } })
      // Sign-in, registration, health and CORS preflights carry no token: they bypass it.
      expect(routes.$default.AuthorizationType).toBeUndefined()
      expect(routes['OPTIONS /api/{proxy+}'].AuthorizationType).toBeUndefined()
      expect(fn).toMatchObject({
        Handler: 'dist/authorizer.handler',
        Runtime: 'nodejs22.x',
        Role: { 'Fn::GetAtt': ['AuthorizerRole', 'Arn'] },
      })
      expect(fn.Environment.Variables.JWT_SECRET).toBe('{{resolve:ssm:/notes/ci2/jwt-secret}}')
      expect(on.artifacts.authorizer).toEqual(['dist/authorizer.js'])
      expect(ofType(on, 'AWS::Lambda::Permission').map(([, p]) => p.Properties.FunctionName)).toContainEqual({
        'Fn::GetAtt': ['AuthorizerLambdaFunction', 'Arn'],
      })
    })
  })

  describe('phase two: GET /api/notes/export peeled off into a function of its own', () => {
    const integrationOf = (p: Packaged, routeKey: string) => {
      const [, route] = ofType(p, 'AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === routeKey)!
      const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string
      return p.template.Resources[integrationId].Properties.IntegrationUri['Fn::GetAtt'][0] as string
    }

    it.each([
      ['authorizer off', () => off],
      ['authorizer on', () => on],
    ])('sends that route to exportNotes and every other route to api (%s)', (_name, stack) => {
      const p = stack()
      const routeKeys = ofType(p, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string)

      expect(integrationOf(p, 'GET /api/notes/export')).toBe('ExportNotesLambdaFunction')
      expect(routeKeys.length).toBeGreaterThan(1)
      for (const key of routeKeys.filter((k) => k !== 'GET /api/notes/export'))
        expect({ key, fn: integrationOf(p, key) }).toEqual({ key, fn: 'ApiLambdaFunction' })
      const permissions = ofType(p, 'AWS::Lambda::Permission').map(([, r]) => r.Properties)
      expect(permissions).toContainEqual(
        expect.objectContaining({
          FunctionName: { 'Fn::GetAtt': ['ExportNotesLambdaFunction', 'Arn'] },
          Principal: 'apigateway.amazonaws.com',
        }),
      )
    })

    it('lets exportNotes only Query the live index and write its own log, nothing else', () => {
      const fn = off.template.Resources.ExportNotesLambdaFunction.Properties
      const statements = off.template.Resources.ExportNotesRole.Properties.Policies.flatMap(
        (policy: Json) => policy.PolicyDocument.Statement,
      )

      expect(fn.Role).toEqual({ 'Fn::GetAtt': ['ExportNotesRole', 'Arn'] })
      expect(statements).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': ['ExportNotesLogGroup', 'Arn'] },
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:Query',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['NotesTable', 'Arn'] }, '/index/live']] },
        },
      ])
    })

    it('gives exportNotes the api’s configuration and its own bundle, and a timeout for long exports', () => {
      const fn = off.template.Resources.ExportNotesLambdaFunction.Properties
      const api = off.template.Resources.ApiLambdaFunction.Properties

      expect(fn.Environment).toEqual(api.Environment)
      expect(fn.Timeout).toBeGreaterThan(api.Timeout)
      expect(fn.Timeout).toBeLessThan(30)
      expect(off.artifacts.exportNotes).toContain('dist/export-notes.js')
      expect(off.functions.exportNotes.handler).toBe('dist/export-notes.handler')
    })
  })
})

const withMembersAtRoot = `
import membersApp from '../../examples/members/app'
import { mount, type MountList } from './mount'

export const mounts: MountList = ({ db, tableName }) => [mount('/', membersApp({ db, tableName }), { auth: 'optional', signInPage: '/login' })]
`

// A third stage: the members' site mounted at /, and the table's deletion protection switched off.
let unprotected: Packaged
describe('a stage built with a mount at /, without the table’s deletion protection', () => {
  beforeAll(() => {
    buildLambdas(withMembersAtRoot)
    unprotected = packageStack('unprotected', ['--stage', 'ci3', '--param=tableDeletionProtection=false'])
    buildLambdas()
  }, 240_000)

  it('sends every path to the HTTP API but the SPA’s, which lives at /app/ with its files and routes', () => {
    const config = one(unprotected, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig
    const { runInNewContext } = require('node:vm') as typeof import('node:vm')
    const handler = runInNewContext(`${unprotected.template.Resources.SpaRoutes.Properties.FunctionCode}; handler`) as (event: object) => {
      uri: string
    }
    const rewrite = (uri: string) => handler({ request: { uri } }).uri

    expect(config.DefaultCacheBehavior).toMatchObject({ TargetOriginId: 'api', CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad' })
    // Not index.html: / is the mounted app's home page.
    expect(config.DefaultRootObject).toBe('')
    // The streamed paths first, even beside a mount at /: they stream, the rest of the function's does not.
    expect(config.CacheBehaviors.map((b: { PathPattern: string; TargetOriginId: string }) => [b.PathPattern, b.TargetOriginId])).toEqual([
      ['/api/notes/export', 'stream'],
      ['/app', 'site'],
      ['/app/*', 'site'],
    ])
    expect(config.CacheBehaviors[2]).toMatchObject({
      ResponseHeadersPolicyId: { Ref: 'SiteResponseHeadersPolicy' },
      FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': ['SpaRoutes', 'FunctionARN'] } }],
    })
    // The bucket holds public/ at its root, whatever the SPA's base.
    expect(['/app', '/app/', '/app/notes/123', '/app/assets/index-abc.js'].map(rewrite)).toEqual([
      '/index.html',
      '/index.html',
      '/index.html',
      '/assets/index-abc.js',
    ])
  })
})

describe('the table’s deletion protection', () => {
  it('when nothing is said, then the table refuses deletion, and a removed stack keeps it', () => {
    const table = off.template.Resources.NotesTable

    expect(table.Properties.DeletionProtectionEnabled).toBe(true)
    expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' })
  })

  it('when a stage must really go, then --param="tableDeletionProtection=false" switches the protection off', () => {
    expect(String(unprotected.template.Resources.NotesTable.Properties.DeletionProtectionEnabled)).toBe('false')
  })
})

describe('one origin for the SPA and the API (CloudFront)', () => {
  const distribution = () => one(off, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig
  const cachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad'
  const allViewerExceptHostHeader = 'b689b0a8-53d0-40ab-baf2-68738e2966ac'

  it('forwards the app’s own paths and each mount’s to the HTTP API, the streamed ones first to the stream function, uncached, every method, all but Host', () => {
    const config = distribution()
    const api = config.Origins.find((o: { Id: string }) => o.Id === 'api')

    expect(api).toMatchObject({
      DomainName: { 'Fn::Sub': '${HttpApi}.execute-api.${AWS::Region}.amazonaws.com' },
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only' },
    })
    expect(off.template.Resources.HttpApi.Type).toBe('AWS::ApiGatewayV2::Api')
    // The stack was built with test/packaging/fixtures/ejs-shop mounted at /shop (dist/site.json says so). The
    // streamed path comes first: CloudFront takes the first pattern that matches, and /api/* would.
    expect(config.CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern)).toEqual([
      '/api/notes/export',
      ...['/api', '/auth', '/health', '/openapi.json', '/shop'].flatMap((p) => [p, `${p}/*`]),
    ])
    for (const behavior of config.CacheBehaviors) {
      expect(behavior).toMatchObject({
        TargetOriginId: behavior.PathPattern === '/api/notes/export' ? 'stream' : 'api',
        ViewerProtocolPolicy: 'https-only',
        CachePolicyId: cachingDisabled,
        OriginRequestPolicyId: allViewerExceptHostHeader,
      })
      expect([...behavior.AllowedMethods].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'])
      expect(behavior.ResponseHeadersPolicyId).toBeUndefined() // the API's own helmet headers pass through
    }
  })

  it('serves everything else from the bucket, client-side routes as index.html, and never rewrites API errors', () => {
    const config = distribution()

    const { runInNewContext } = require('node:vm') as typeof import('node:vm')
    const handler = runInNewContext(`${off.template.Resources.SpaRoutes.Properties.FunctionCode}; handler`) as (event: object) => {
      uri: string
    }
    // The function returns the request CloudFront then sends to S3.
    const rewrite = (uri: string) => handler({ request: { uri } }).uri

    expect(config.DefaultCacheBehavior.TargetOriginId).toBe('site')
    expect(config.CustomErrorResponses).toBeUndefined()
    expect(off.template.Resources.SpaRoutes.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0')
    expect(['/', '/notes/123', '/trash', '/assets/index-abc.js', '/favicon.ico'].map(rewrite)).toEqual([
      '/index.html',
      '/index.html',
      '/index.html',
      '/assets/index-abc.js',
      '/favicon.ico',
    ])
  })

  it('gives the SPA a Content-Security-Policy that allows only its own origin, plus HSTS and friends', () => {
    const policy = off.template.Resources.SiteResponseHeadersPolicy
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig
    const csp = Object.fromEntries(
      (headers.ContentSecurityPolicy.ContentSecurityPolicy as string).split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/)
        return [name, values.join(' ')]
      }),
    )

    expect(policy.Type).toBe('AWS::CloudFront::ResponseHeadersPolicy')
    expect(csp).toEqual({
      'default-src': "'self'",
      'connect-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'frame-ancestors': "'none'",
      'object-src': "'none'",
      'base-uri': "'self'",
      'form-action': "'self'",
    })
    expect(headers.ContentSecurityPolicy.Override).toBe(true)
    expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true })
    expect(headers.ContentTypeOptions).toEqual({ Override: true })
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true })
    expect(headers.ReferrerPolicy).toMatchObject({ ReferrerPolicy: 'strict-origin-when-cross-origin' })
  })
})

describe('streamed routes: the stream function behind a function URL that streams, at the same CloudFront origin', () => {
  const distribution = () => one(off, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig

  it('runs the api’s bundle and app through streamHandler, with the api’s configuration and the time a long answer needs', () => {
    const fn = off.template.Resources.StreamLambdaFunction.Properties
    const api = off.template.Resources.ApiLambdaFunction.Properties

    expect(off.functions.stream).toMatchObject({ handler: 'dist/lambda.streamHandler' })
    expect(fn).toMatchObject({ Handler: 'dist/lambda.streamHandler', Runtime: 'nodejs22.x', Role: { 'Fn::GetAtt': ['StreamRole', 'Arn'] } })
    expect(fn.Environment).toEqual(api.Environment)
    expect(fn.Timeout).toBeGreaterThan(api.Timeout)
    expect(fn.Timeout).toBeLessThanOrEqual(900)
    expect(off.artifacts.stream.sort()).toEqual(off.artifacts.api.sort())
  })

  it('has a function URL with InvokeMode RESPONSE_STREAM, public as the HTTP API is (the app checks the tokens)', () => {
    const [urlId, url] = one(off, 'AWS::Lambda::Url')
    const permissions = ofType(off, 'AWS::Lambda::Permission')
      .map(([, p]) => p.Properties)
      .filter((p) => JSON.stringify(p.FunctionName).includes('StreamLambdaFunction'))

    expect(urlId).toBe('StreamLambdaFunctionUrl')
    expect(url.Properties).toEqual({
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
      TargetFunctionArn: { 'Fn::GetAtt': ['StreamLambdaFunction', 'Arn'] },
    })
    // Since October 2025 a public function URL needs both permissions.
    expect(permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' }),
        expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true }),
      ]),
    )
  })

  it('is a CloudFront origin of its own, by the URL’s host, and takes /api/notes/export uncompressed', () => {
    const config = distribution()
    const origin = config.Origins.find((o: { Id: string }) => o.Id === 'stream')
    const behavior = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/notes/export')

    expect(origin).toMatchObject({
      DomainName: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['StreamLambdaFunctionUrl', 'FunctionUrl'] }] }] },
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only' },
    })
    expect(origin.OriginAccessControlId).toBeUndefined()
    expect(behavior).toMatchObject({ TargetOriginId: 'stream', Compress: false })
  })

  it('lets the stream function do what the api does with the table, and write its own log, nothing more (no email)', () => {
    const statements = off.template.Resources.StreamRole.Properties.Policies.flatMap((policy: Json) => policy.PolicyDocument.Statement)
    const apiStatements = off.template.Resources.ApiRole.Properties.Policies.flatMap((policy: Json) => policy.PolicyDocument.Statement)

    expect(statements).toEqual(
      apiStatements
        .filter((statement: Json) => ![statement.Action].flat().some((action: string) => action.startsWith('ses:')))
        .map((statement: Json) =>
          JSON.stringify(statement).includes('ApiLogGroup')
            ? { ...statement, Resource: { 'Fn::GetAtt': ['StreamLogGroup', 'Arn'] } }
            : statement,
        ),
    )
  })
})

describe('the Managed Instances switch', () => {
  let managed: Packaged

  beforeAll(() => {
    managed = packageStack('managed', [
      '--stage',
      'ci5',
      '--param=managedInstances=true',
      '--param=managedInstancesSubnetIds=subnet-0a1,subnet-0b2,subnet-0c3',
      '--param=managedInstancesSecurityGroupIds=sg-0d4',
    ])
  }, 120_000)

  const versionsOf = (p: Packaged, functionId: string) =>
    ofType(p, 'AWS::Lambda::Version').filter(([, r]) => r.Properties.FunctionName?.Ref === functionId)

  it.each([
    ['authorizer off', () => off],
    ['authorizer on', () => on],
  ])('is off by default: no capacity provider, no operator role, api an ordinary function with its versions (%s)', (_name, stack) => {
    const p = stack()
    const api = p.template.Resources.ApiLambdaFunction.Properties

    expect(ofType(p, 'AWS::Lambda::CapacityProvider')).toEqual([])
    expect(p.template.Resources.CapacityProviderOperatorRole).toBeUndefined()
    expect(api.CapacityProviderConfig).toBeUndefined()
    expect(api.FunctionScalingConfig).toBeUndefined()
    expect(api.MemorySize).toBe(1024)
    expect(versionsOf(p, 'ApiLambdaFunction')).toHaveLength(1)
  })

  it('when on, puts api on a capacity provider of the stage, in the given subnets, arm64 like the functions', () => {
    const [providerId, provider] = one(managed, 'AWS::Lambda::CapacityProvider')

    expect(provider.Properties).toEqual({
      CapacityProviderName: 'notes-ci5-api',
      VpcConfig: {
        SubnetIds: { 'Fn::Split': [',', 'subnet-0a1,subnet-0b2,subnet-0c3'] },
        SecurityGroupIds: { 'Fn::Split': [',', 'sg-0d4'] },
      },
      PermissionsConfig: { CapacityProviderOperatorRoleArn: { 'Fn::GetAtt': ['CapacityProviderOperatorRole', 'Arn'] } },
      InstanceRequirements: { Architectures: ['arm64'] },
      CapacityProviderScalingConfig: { MaxVCpuCount: 16 },
    })
    expect(managed.template.Resources.ApiLambdaFunction.Properties).toMatchObject({
      Architectures: ['arm64'],
      CapacityProviderConfig: {
        LambdaManagedInstancesCapacityProviderConfig: { CapacityProviderArn: { 'Fn::GetAtt': [providerId, 'Arn'] } },
      },
    })
  })

  it('when on, gives api its concurrency per execution environment, memory per vCPU, memory and scaling', () => {
    const api = managed.template.Resources.ApiLambdaFunction.Properties

    expect(api.CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig).toMatchObject({
      PerExecutionEnvironmentMaxConcurrency: 64,
      ExecutionEnvironmentMemoryGiBPerVCpu: 2,
    })
    expect(api.MemorySize).toBe(2048) // the smallest a Managed Instances function may have
    expect(api.FunctionScalingConfig).toEqual({ MinExecutionEnvironments: 3, MaxExecutionEnvironments: 30 })
    // CloudFormation publishes $LATEST.PUBLISHED, which the HTTP API invokes; no numbered version beside it.
    expect(versionsOf(managed, 'ApiLambdaFunction')).toEqual([])
  })

  it('when on, lets Lambda manage the instances through a role of AWS’s managed policy for it, trusted by Lambda alone', () => {
    const role = managed.template.Resources.CapacityProviderOperatorRole

    expect(role.Type).toBe('AWS::IAM::Role')
    expect(role.Properties).toEqual({
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AWSLambdaManagedEC2ResourceOperator' }],
    })
  })

  it('when on, leaves every other function and the api’s role as they are', () => {
    for (const id of ['ChangesLambdaFunction', 'ExportNotesLambdaFunction']) {
      expect(managed.template.Resources[id].Properties.CapacityProviderConfig).toBeUndefined()
      expect(managed.template.Resources[id].Properties).toEqual({
        ...off.template.Resources[id].Properties,
        FunctionName: expect.stringContaining('-ci5-'),
        Environment: expect.anything(),
        Code: expect.anything(),
        Tags: expect.anything(),
      })
    }
    expect(managed.template.Resources.ApiRole.Properties).toEqual(off.template.Resources.ApiRole.Properties)
  })
})
