import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import express from 'express'
import request from 'supertest'
import { mount } from '../app/existing'
import { pageRenewalApi } from '../app/existing/page-renewal'
import { openApiDocument } from '../app/openapi'
import { createTestApp, type TestApp } from './helpers/app'

/**
 * The OpenAPI document against the app it describes: every route the Express app answers is in it
 * and nothing else, the security it states is what the app enforces, and Redocly's linter (the
 * recommended ruleset, redocly.yaml) finds nothing to say, without going on the network.
 */
interface Operation {
  security: object[]
}
interface Document {
  paths: Record<string, Record<string, Operation>>
}

/** An Express router's stack, as far as these tests read it (router 2.x). */
interface Layer {
  rawPath?: unknown
  route?: { path: string; methods: Record<string, boolean> }
  handle: { stack?: Layer[] }
}

/** `METHOD /path` of every route in a router and the routers inside it, with their mount paths. */
function routesOf(stack: Layer[], prefix = ''): string[] {
  const join = (base: string, rest: string) => (rest === '/' ? base || '/' : base.replace(/\/$/, '') + rest)
  return stack.flatMap((layer) => {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).filter((method) => method !== '_all')
      return methods.map((method) => `${method.toUpperCase()} ${join(prefix, layer.route!.path)}`)
    }
    if (layer.handle.stack) return routesOf(layer.handle.stack, typeof layer.rawPath === 'string' ? join(prefix, layer.rawPath) : prefix)
    return []
  })
}

function operationsOf(document: Document): string[] {
  return Object.entries(document.paths).flatMap(([route, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${route.replace(/\{(\w+)\}/g, ':$1')}`),
  )
}

const modes: { mode: string; env: Record<string, string> }[] = [
  { mode: 'issuing its own tokens', env: {} },
  {
    mode: 'with tokens from an identity provider',
    env: { JWT_JWKS_URI: 'http://127.0.0.1:9/jwks.json', JWT_ISSUER: 'https://idp.example.com/', JWT_AUDIENCE: 'notes-api' },
  },
]

describe.each(modes)('the OpenAPI document of the app $mode', ({ env }) => {
  let t: TestApp
  let document: Document
  beforeAll(async () => {
    t = await createTestApp({ env, deps: { mounts: [] } }) // mounted existing apps are not the API
    document = (await request(t.app).get('/openapi.json')).body as Document
  })
  afterAll(() => t.close())

  it('lists every route the app answers, and only those', () => {
    const routes = routesOf((t.app as unknown as { router: { stack: Layer[] } }).router.stack)

    expect(routes.length).toBeGreaterThan(5)
    expect(operationsOf(document).sort()).toEqual(routes.sort())
  })

  it('states the security the app enforces: a 401 without credentials exactly where it requires some', async () => {
    for (const [route, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const res = await request(t.app)[method as 'get'](route.replace(/\{\w+\}/g, '01J0000000000000000000000A'))

        expect({ method, route, status: res.status === 401 ? 401 : 'not 401' }).toEqual({
          method,
          route,
          status: operation.security.length > 0 && !operation.security.some((way) => Object.keys(way).length === 0) ? 401 : 'not 401',
        })
      }
    }
  })
})

interface Report {
  totals: { errors: number; warnings: number }
  problems: { message: string }[]
}

describe('redocly lint', () => {
  let dir: string
  beforeAll(() => void (dir = mkdtempSync(path.join(os.tmpdir(), 'openapi-'))))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('finds no error and no warning in the document, with own tokens (and mounts) and with an identity provider, offline', () => {
    const files = [true, false].map((ownAuth) => {
      const file = path.join(dir, `openapi-own-tokens-${ownAuth}.json`)
      // With its own tokens, the app with mounts also serves GET /auth/page.
      writeFileSync(file, JSON.stringify(openApiDocument({ ownAuth, more: ownAuth ? [pageRenewalApi] : [] })))
      return file
    })
    const networkLog = path.join(dir, 'network.log')
    writeFileSync(networkLog, '')
    const root = path.resolve(__dirname, '..')

    const output = execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules/@redocly/cli/bin/cli.js'),
        'lint',
        '--config',
        path.join(root, 'redocly.yaml'),
        '--format',
        'json',
        ...files,
      ],
      {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          REDOCLY_TELEMETRY: 'off',
          REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
          NODE_OPTIONS: `--require ${path.join(__dirname, 'helpers/no-network.cjs')}`,
          NO_NETWORK_LOG: networkLog,
        },
      },
    )

    // One JSON report per file, written one after the other.
    const reports = output.split(/(?<=^\})(?=\{)/m).map((report) => JSON.parse(report) as Report)
    expect(reports).toHaveLength(2)
    for (const { totals, problems } of reports) {
      expect(problems.map((problem) => problem.message)).toEqual([])
      expect(totals).toMatchObject({ errors: 0, warnings: 0 })
    }
    expect(readFileSync(networkLog, 'utf8')).toBe('')
  })
})

describe('the OpenAPI document of an app with mounts', () => {
  it('describes GET /auth/page, the renewal of mounted pages’ cookie, which the app then serves', async () => {
    const t = await createTestApp({
      deps: {
        mounts: [
          mount(
            '/legacy',
            express().get('/', (_req, res) => void res.send('legacy')),
          ),
        ],
      },
    })
    try {
      const document = (await request(t.app).get('/openapi.json')).body as Document & { paths: Record<string, Record<string, object>> }
      const renewal = await request(t.app).get('/auth/page?return=/legacy/').set('Accept', 'text/html')
      const wrongMethod = await request(t.app).post('/auth/page')

      expect(document.paths['/auth/page']).toEqual({ get: expect.objectContaining({ operationId: 'renewPage', security: [] }) })
      expect(Object.keys(document.paths['/auth/page'].get)).toContain('responses')
      expect(renewal.status).toBe(303)
      expect(renewal.headers.location).toBe('/legacy/')
      expect(wrongMethod.status).toBe(405)
    } finally {
      await t.close()
    }
  })
})
