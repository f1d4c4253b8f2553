import { readdirSync } from 'node:fs'
import path from 'node:path'
import express from 'express'
import request from 'supertest'
import { mount } from '../../app/existing'
import { startUpOf } from '../../app/index'
import { createTestApp, type LogLine, type TestApp } from '../helpers/app'

/**
 * What the mount layer does for every mounted app, whatever it renders: no X-Powered-By from any
 * app Express creates inside it, a log line with the cause for every 5xx it answers itself, its
 * start-up work finished before its requests; and an app built without mounts never loads it.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Express 4 handlers: its types are not installed */

const express4 = require('express4')

/** An app with a sub-app made by `express()`, its own error page, and the ways real apps fail. */
function failingApp(makeApp: () => any) {
  const app = makeApp()
  const admin = makeApp()
  admin.get('/', (_req: any, res: any) => res.send('admin'))
  app.use('/admin', admin)
  app.get('/throws', () => {
    throw new Error('the database is on fire')
  })
  app.get('/rejects', async () => {
    await Promise.resolve()
    throw new Error('the promise broke')
  })
  app.get('/renders', (_req: any, res: any) => res.render('page.nosuchengine'))
  app.get('/answers-500', (_req: any, res: any) => res.status(500).send('<h1>Sorry</h1>'))
  app.get('/missing', (_req: any, _res: any, next: any) => next(Object.assign(new Error('no such page'), { status: 404 })))
  // The app's own error page, which says nothing of the cause.
  app.use((err: any, _req: any, res: any, _next: any) => res.status(err.status ?? 500).send('<h1>Something went wrong</h1>'))
  return app
}

function passingOn() {
  const app = express4()
  app.get('/throws', () => {
    throw new Error('passed on to the outer app')
  })
  return app
}

let t: TestApp
let finishStartUp: () => void
let startedRequests = 0
beforeAll(async () => {
  const slowStart = new Promise<void>((resolve) => (finishStartUp = resolve))
  const ready = express4().get('/', (_req: any, res: any) => res.json({ startedRequests }))
  t = await createTestApp({
    deps: {
      mounts: [
        mount('/four', failingApp(express4), { auth: 'none' }),
        mount('/five', failingApp(express), { auth: 'none' }),
        mount('/passing-on', passingOn(), { auth: 'none' }),
        mount('/slow', ready, { auth: 'none', ready: slowStart.then(() => void (startedRequests = 1)) }),
        mount('/broken', express4(), { auth: 'none', ready: () => Promise.reject(new Error('seed users could not be hashed')) }),
      ],
    },
  })
})
afterAll(() => t.close())

const logOf = (res: request.Response, msg: string): LogLine | undefined =>
  t.logs.find((line) => line.requestId === res.headers['x-request-id'] && line.msg === msg)

describe.each([
  ['Express 4', 'four'],
  ['Express 5', 'five'],
])('a mounted %s app with its own error page', (_name, base) => {
  it('sends no X-Powered-By, from the app or from a sub-app created with express() inside it', async () => {
    const sub = await request(t.app).get(`/${base}/admin`)
    const page = await request(t.app).get(`/${base}/answers-500`)

    expect(sub.text).toBe('admin')
    expect(sub.headers['x-powered-by']).toBeUndefined()
    expect(page.headers['x-powered-by']).toBeUndefined()
  })

  it.each([
    ['a thrown error', 'throws', 'the database is on fire'],
    ['a rejected promise', 'rejects', 'the promise broke'],
    ['a view engine that is not installed', 'renders', "Cannot find module 'nosuchengine'"],
  ])('logs %s that its error page answers with a 500: the request id, the message and the stack', async (_what, path, message) => {
    const res = await request(t.app).get(`/${base}/${path}`)

    expect(res.status).toBe(500)
    expect(res.text).toBe('<h1>Something went wrong</h1>')
    const line = logOf(res, 'mounted app answered a server error')
    expect(line).toMatchObject({ level: 'error', status: 500, method: 'GET', path: `/${base}/${path}` })
    expect(line?.error?.message).toContain(message)
    expect(line?.error?.stack).toMatch(/\n\s+at /)
  })

  it('logs a 500 the app answers without passing an error on, saying so', async () => {
    const res = await request(t.app).get(`/${base}/answers-500`)

    expect(res.status).toBe(500)
    expect(logOf(res, 'mounted app answered a server error without passing an error on')).toMatchObject({ level: 'error', status: 500 })
  })

  it('does not log a 404 its error page answers for an error that says it is the client’s', async () => {
    const res = await request(t.app).get(`/${base}/missing`)

    expect(res.status).toBe(404)
    expect(t.logs.filter((line) => line.requestId === res.headers['x-request-id'] && line.level !== 'info')).toEqual([])
  })
})

it('logs an error a mounted app passes on once, as the outer app’s 500', async () => {
  const res = await request(t.app).get('/passing-on/throws')

  expect(res.status).toBe(500)
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  const lines = t.logs.filter((line) => line.requestId === res.headers['x-request-id'] && line.level === 'error')
  expect(lines.map((line) => [line.msg, line.error?.message])).toEqual([['unhandled error', 'passed on to the outer app']])
})

describe('start-up work (mount option `ready`)', () => {
  it('is finished before a request reaches the app: the request waits for it', async () => {
    const pending = request(t.app).get('/slow/')
    const before = startedRequests
    setTimeout(finishStartUp, 50)
    const res = await pending

    expect(before).toBe(0)
    expect(res.body).toEqual({ startedRequests: 1 })
  })

  it('that fails is logged with its cause, and the mount answers 500 with the cause in the log; startUpOf rejects', async () => {
    const res = await request(t.app).get('/broken/anything')

    expect(res.status).toBe(500)
    expect(t.logs.find((line) => line.msg === 'mount start-up work failed')).toMatchObject({
      mount: '/broken',
      error: { message: 'seed users could not be hashed' },
    })
    expect(logOf(res, 'unhandled error')?.error?.message).toBe('The start-up work of the mount at /broken failed')
    await expect(startUpOf(t.app)).rejects.toThrow('seed users could not be hashed')
  })
})

describe('an app built without mounts', () => {
  it('never loads app/existing', async () => {
    const loaded: string[] = []
    let app: unknown
    jest.isolateModules(() => {
      const modules = readdirSync(path.join(__dirname, '../../app/existing')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      for (const file of modules.map((f) => f.replace(/\.ts$/, '')).filter((f) => f !== 'mounts'))
        jest.doMock(`../../app/existing/${file}`, () => {
          loaded.push(file)
          return {}
        })
      const { createApp } = require('../../app/index') as typeof import('../../app/index')
      const mailer = { send: () => Promise.resolve() }
      app = createApp({ config: t.config, db: t.db, clock: () => new Date(), logger: { info() {}, warn() {}, error() {} }, mailer })
    })
    const res = await request(app as never).get('/health')

    expect(res.body).toEqual({ status: 'ok' })
    expect(loaded).toEqual([])
  })
})
