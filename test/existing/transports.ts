import type { Express } from 'express'
import { createServer, type Server } from 'node:http'
import request from 'supertest'
import type { HttpResult } from '../../app/lambda/events'
import { createLambdaHandler } from '../../app/lambda/handler'
import { createLogger } from '../../app/logger'
import { httpApiEvent, lambdaContext, restApiEvent, type HttpRequest } from '../helpers/events'

/** A response as the assertions read it: lower-case headers, the body parsed when it is JSON. */
export interface Answer {
  status: number
  headers: Record<string, string>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed JSON body, read by assertions
  body: any
  text: string
  /** Each Set-Cookie, as `name=value` without attributes: what a browser would send back. */
  cookies: string[]
  /** The body's bytes, for binary responses. */
  bytes: Buffer
}

/** One way to reach an app: supertest against it on 127.0.0.1 (as `npm run dev` serves it), or its Lambda handler fed one kind of event. */
/** A request; `bytes` is a binary body, sent as it is (base64-encoded in a Lambda event, as API Gateway does). */
export type Sent = HttpRequest & { bytes?: Buffer }

export interface Transport {
  name: string
  /** What stands before the app's paths in the client's URL (REST API's stage), so in every URL the app emits. */
  prefix: string
  send(req: Sent): Promise<Answer>
  close(): Promise<void>
}

export async function viaDevServer(app: Express): Promise<Transport> {
  const server: Server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    name: 'the dev server (supertest on 127.0.0.1)',
    prefix: '',
    async send(req) {
      let test = request(server)[req.method.toLowerCase() as 'get'](req.path)
      for (const [name, value] of Object.entries(req.headers ?? {})) test = test.set(name, value as string)
      if (req.bytes !== undefined) test = test.serialize((bytes: Buffer) => bytes as unknown as string).send(req.bytes)
      else if (req.body !== undefined) test = test.send(req.body)
      const res = await test.buffer(true).parse((r, done) => {
        const chunks: Buffer[] = []
        r.on('data', (chunk: Buffer) => chunks.push(chunk))
        r.on('end', () => done(null, Buffer.concat(chunks)))
      })
      const { 'set-cookie': setCookie, ...headers } = res.headers as Record<string, string | string[]>
      return answer(res.status, headers as Record<string, string>, res.body as Buffer, (setCookie as string[] | undefined) ?? [])
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

export function viaLambda(app: Express, source: 'HTTP API (v2)' | 'REST API (v1)'): Transport {
  const handler = createLambdaHandler(app, createLogger({ write: () => undefined }))
  return {
    name: `the Lambda handler behind an ${source}`,
    prefix: source === 'REST API (v1)' ? '/prod' : '', // restApiEvent's default stage, in its URL
    async send(req) {
      const event = withBytes(source === 'HTTP API (v2)' ? httpApiEvent(req) : restApiEvent(req), req.bytes)
      const result: HttpResult = await handler(event, lambdaContext())
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = value
      const setCookie: string[] = [...((result as { cookies?: string[] }).cookies ?? [])]
      for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
        if (name.toLowerCase() === 'set-cookie') setCookie.push(...values)
        else headers[name.toLowerCase()] = values.join(', ')
      }
      if (headers['set-cookie']) setCookie.push(headers['set-cookie'])
      delete headers['set-cookie']
      return answer(result.statusCode, headers, Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8'), setCookie)
    },
    close: () => Promise.resolve(),
  }
}

function answer(status: number, headers: Record<string, string>, bytes: Buffer, setCookie: string[]): Answer {
  const text = bytes.toString()
  const isJson = /json/.test(headers['content-type'] ?? '')
  const cookies = setCookie.map((line) => line.split(';', 1)[0])
  return { status, headers, text, bytes, cookies, body: isJson && text ? JSON.parse(text) : text }
}

/** The event carrying `bytes` as its body, base64-encoded with its length, as API Gateway delivers a binary body. */
function withBytes<E extends object>(event: E, bytes: Buffer | undefined): E {
  if (bytes === undefined) return event
  const e = event as E & {
    body?: string
    isBase64Encoded?: boolean
    headers: Record<string, string>
    multiValueHeaders?: Record<string, string[]>
  }
  e.body = bytes.toString('base64')
  e.isBase64Encoded = true
  e.headers['content-length'] = String(bytes.length)
  if (e.multiValueHeaders) e.multiValueHeaders['content-length'] = [String(bytes.length)]
  return e
}
