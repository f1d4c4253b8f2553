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
  body: any
  text: string
}

/** One way to reach an app: supertest against it on 127.0.0.1 (as `npm run dev` serves it), or its Lambda handler fed one kind of event. */
export interface Transport {
  name: string
  send(req: HttpRequest): Promise<Answer>
  close(): Promise<void>
}

export async function viaDevServer(app: Express): Promise<Transport> {
  const server: Server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    name: 'the dev server (supertest on 127.0.0.1)',
    async send(req) {
      let test = request(server)[req.method.toLowerCase() as 'get'](req.path)
      for (const [name, value] of Object.entries(req.headers ?? {})) test = test.set(name, value as string)
      if (req.body !== undefined) test = test.send(req.body)
      const res = await test.buffer(true).parse((r, done) => {
        let text = ''
        r.setEncoding('utf8')
        r.on('data', (chunk: string) => (text += chunk))
        r.on('end', () => done(null, text))
      })
      return answer(res.status, res.headers as Record<string, string>, res.body as string)
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

export function viaLambda(app: Express, source: 'HTTP API (v2)' | 'REST API (v1)'): Transport {
  const handler = createLambdaHandler(app, createLogger({ write: () => undefined }))
  return {
    name: `the Lambda handler behind an ${source}`,
    async send(req) {
      const event = source === 'HTTP API (v2)' ? httpApiEvent(req) : restApiEvent(req)
      const result = (await handler(event as never, lambdaContext())) as HttpResult
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = value
      for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name.toLowerCase()] = values.join(', ')
      const text = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8').toString()
      return answer(result.statusCode, headers, text)
    },
    close: async () => undefined,
  }
}

function answer(status: number, headers: Record<string, string>, text: string): Answer {
  const isJson = /json/.test(headers['content-type'] ?? '')
  return { status, headers, text, body: isJson && text ? JSON.parse(text) : text }
}
