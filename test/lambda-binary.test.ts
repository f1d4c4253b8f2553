import { createHash, randomBytes } from 'node:crypto'
import express from 'express'
import { createLambdaHandler } from '../app/lambda/handler'
import type { HttpEvent } from '../app/lambda/events'
import { createLogger } from '../app/logger'
import { eventSources, lambdaContext, type EventSource, type HttpRequest } from './helpers/events'

/**
 * Binary bodies through the Lambda handler, for every HTTP event source: an image, a PDF, a zip and an
 * octet stream come back byte for byte (base64 to the source), text stays text, and a binary upload
 * (raw or multipart) that the source delivers base64-encoded reaches the app as the bytes that were sent.
 */
const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(300)])
const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300), Buffer.from('\n%%EOF\n')])
const zip = Buffer.concat([Buffer.from('504b0304', 'hex'), randomBytes(300)])
const octets = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
const text = 'Grüße, 世界 ✓'

const app = express()
app.get('/image.png', (_req, res) => void res.type('png').send(png))
app.get('/report.pdf', (_req, res) => void res.type('pdf').send(pdf))
app.get('/archive.zip', (_req, res) => void res.type('application/zip').attachment('archive.zip').send(zip))
app.get('/octets', (_req, res) => void res.type('application/octet-stream').send(octets))
app.get('/text', (_req, res) => void res.type('text/plain').send(text))
app.get('/json', (_req, res) => void res.json({ text }))
app.post('/upload', express.raw({ type: () => true, limit: '6mb' }), (req, res) => {
  const body = req.body as Buffer
  res.json({ type: req.headers['content-type'], length: body.length, sha256: createHash('sha256').update(body).digest('hex') })
})

const handler = createLambdaHandler(app, createLogger({ write: () => undefined }))

async function send(source: EventSource, req: HttpRequest, bytes?: Buffer) {
  const event = source.toEvent({ ...req, body: bytes === undefined ? undefined : 'x', base64: bytes !== undefined }) as Record<
    string,
    unknown
  >
  // What API Gateway, Function URLs and ALB deliver for a binary body: the bytes, base64-encoded.
  if (bytes !== undefined) Object.assign(event, { body: bytes.toString('base64'), isBase64Encoded: true })
  return source.fromResult(await handler(event as unknown as HttpEvent, lambdaContext()))
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

function multipart(boundary: string, file: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="caption"\r\n\r\nA photo\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="photo.png"\r\nContent-Type: image/png\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
}

describe.each(eventSources.map((source) => [source.name, source] as const))('binary bodies through %s', (_name, source) => {
  it.each([
    ['/image.png', 'image/png', png],
    ['/report.pdf', 'application/pdf', pdf],
    ['/archive.zip', 'application/zip', zip],
    ['/octets', 'application/octet-stream', octets],
  ])('sends %s (%s) byte for byte', async (path, type, bytes) => {
    const res = await send(source, { method: 'GET', path })

    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(new RegExp(`^${type}`))
    expect(res.raw.equals(bytes)).toBe(true)
  })

  it('sends text and JSON as text, not base64', async () => {
    const event = source.toEvent({ method: 'GET', path: '/text' })
    const result = await handler(event as HttpEvent, lambdaContext())

    expect(result.isBase64Encoded).toBe(false)
    expect(result.body).toBe(text)
    expect((await send(source, { method: 'GET', path: '/json' })).body).toBe(JSON.stringify({ text }))
  })

  it('hands a base64-encoded upload to the app as the bytes sent', async () => {
    const res = await send(source, { method: 'POST', path: '/upload', headers: { 'Content-Type': 'application/octet-stream' } }, octets)

    expect(JSON.parse(res.body)).toEqual({ type: 'application/octet-stream', length: 256, sha256: sha256(octets) })
  })

  it('hands a multipart upload with an image to the app intact', async () => {
    const body = multipart('----notes-boundary', png)
    const type = 'multipart/form-data; boundary=----notes-boundary'
    const res = await send(source, { method: 'POST', path: '/upload', headers: { 'Content-Type': type } }, body)

    expect(JSON.parse(res.body)).toEqual({ type, length: body.length, sha256: sha256(body) })
  })
})
