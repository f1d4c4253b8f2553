import { createHash, randomBytes } from 'node:crypto'
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../app/db/embedded'
import { mount } from '../../app/existing'
import { createTestApp, type TestApp } from '../helpers/app'
import { bearer, signToken } from '../helpers/tokens'
import { viaDevServer, viaLambda, type Transport } from './transports'

/**
 * Mounted code receives the bodies it was written for, unread, through the dev server and through
 * API Gateway's events alike: HTML forms, multipart uploads (byte for byte, up to what Lambda
 * accepts), raw bytes for a webhook's signature, and method-override's `_method`. The app's own API
 * keeps its JSON-only 415.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Express 4 handlers: its types are not installed */

const express4 = require('express4')

const multer = require('multer')

const methodOverride = require('method-override')

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

function legacyApp() {
  const app = express4()
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 6 * 1024 * 1024 } })
  app.post('/webhook', express4.raw({ type: '*/*', limit: '6mb' }), (req: any, res: any) => {
    res.json({ bytes: req.body.length, sha256: sha256(req.body), type: req.get('content-type') })
  })
  app.use(express4.urlencoded({ extended: true }))
  app.use(methodOverride('_method'))
  app.post('/form', (req: any, res: any) => res.json({ fields: req.body }))
  app.put('/items/:id', (req: any, res: any) => res.json({ method: req.method, id: req.params.id, fields: req.body }))
  app.post('/upload', upload.single('photo'), (req: any, res: any) => {
    res.json({
      fields: req.body,
      name: req.file.originalname,
      type: req.file.mimetype,
      bytes: req.file.size,
      sha256: sha256(req.file.buffer),
    })
  })
  return app
}

function multipart(fields: Record<string, string>, file: { field: string; name: string; type: string; bytes: Buffer }) {
  const boundary = `----form${randomBytes(8).toString('hex')}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  )
  return { bytes: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

let dynamo: EmbeddedDynamo
beforeAll(async () => void (dynamo = await startEmbeddedDynamo()))
afterAll(() => dynamo.close())

const ways: [string, (t: TestApp) => Promise<Transport> | Transport][] = [
  ['the dev server', (t) => viaDevServer(t.app)],
  ['an HTTP API (v2) event', (t) => viaLambda(t.app, 'HTTP API (v2)')],
  ['a REST API (v1) event', (t) => viaLambda(t.app, 'REST API (v1)')],
]

describe.each(ways)('Bodies for mounted code, through %s', (_name, connect) => {
  let t: TestApp
  let via: Transport
  let auth: Record<string, string>

  beforeAll(async () => {
    t = await createTestApp({ dynamo, deps: { mounts: [mount('/legacy', legacyApp())] } })
    via = await connect(t)
    auth = bearer(signToken(t.config, { sub: 'user-ada' }))
  })
  afterAll(async () => {
    await via.close()
    await t.close()
  })

  it('passes an HTML form post to the app’s own urlencoded parser', async () => {
    const res = await via.send({
      method: 'POST',
      path: '/legacy/form',
      headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'name=Ada+Lovelace&tags%5B%5D=math&tags%5B%5D=engines&note=caf%C3%A9',
    })

    expect(res.status).toBe(200)
    expect(res.body.fields).toEqual({ name: 'Ada Lovelace', tags: ['math', 'engines'], note: 'café' })
  })

  it('lets method-override turn a form post to ?_method=PUT into a PUT', async () => {
    const res = await via.send({
      method: 'POST',
      path: '/legacy/items/42?_method=PUT',
      headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'title=Engines',
    })

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ method: 'PUT', id: '42', fields: { title: 'Engines' } })
  })

  it('passes a multipart upload to multer byte for byte, 4 MB of binary included', async () => {
    const photo = randomBytes(4 * 1024 * 1024)
    const form = multipart({ caption: 'Difference engine' }, { field: 'photo', name: 'engine.png', type: 'image/png', bytes: photo })

    const res = await via.send({
      method: 'POST',
      path: '/legacy/upload',
      headers: { ...auth, 'Content-Type': form.contentType },
      bytes: form.bytes,
    })

    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      fields: { caption: 'Difference engine' },
      name: 'engine.png',
      type: 'image/png',
      bytes: photo.length,
      sha256: sha256(photo),
    })
  })

  it('passes raw bytes (a webhook’s body, JSON included) unread, so a signature over them can be checked', async () => {
    const payload = Buffer.from('{"event":"paid",  "amount": 4200}\n')
    const binary = randomBytes(1000)

    const json = await via.send({
      method: 'POST',
      path: '/legacy/webhook',
      headers: { ...auth, 'Content-Type': 'application/json' },
      bytes: payload,
    })
    const octets = await via.send({
      method: 'POST',
      path: '/legacy/webhook',
      headers: { ...auth, 'Content-Type': 'application/octet-stream' },
      bytes: binary,
    })

    expect(json.body).toEqual({ bytes: payload.length, sha256: sha256(payload), type: 'application/json' })
    expect(octets.body).toEqual({ bytes: binary.length, sha256: sha256(binary), type: 'application/octet-stream' })
  })

  it('checks the credential before reading any body', async () => {
    const res = await via.send({
      method: 'POST',
      path: '/legacy/form',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'name=Ada',
    })

    expect(res.status).toBe(401)
  })

  it('keeps the app’s own API JSON-only: a form post to it is a 415', async () => {
    const res = await via.send({
      method: 'POST',
      path: '/api/notes',
      headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'title=Hello',
    })

    expect(res.status).toBe(415)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  })
})
