import type { Express, Request, Response } from 'express'
import { loadConfig } from '../../app/config'
import { back, expressApp, front } from '../../app/http/app-shell'
import { bufferedLimits } from '../../app/lambda/buffered-answer'
import type { HttpResult } from '../../app/lambda/events'
import { createLambdaHandler, lambdaRequestId, type LambdaHandler } from '../../app/lambda/handler'
import { createLogger } from '../../app/logger'
import { testSecret, type LogLine } from '../helpers/app'
import { albEvent, eventSources, functionUrlEvent, httpApiEvent, lambdaContext, type HttpRequest } from '../helpers/events'

/**
 * `handler`, the buffered way out: Lambda refuses a result over 6 MB (an ALB one over 1 MB), and API
 * Gateway then answers an empty 502 while the app has logged a 200. Here such an answer is a 502
 * problem+json that says what happened, logged with the request id and the size, and the access log
 * records the 502; an answer that fits passes untouched.
 */
const MiB = 1024 * 1024
const logs: LogLine[] = []
let handler: LambdaHandler

/** A body of `bytes` bytes of `fill`, as JSON text or as a binary file. */
function answer(req: Request, res: Response) {
  const bytes = Number(req.query.bytes)
  const fill = typeof req.query.fill === 'string' ? req.query.fill : 'a'
  if (req.query.binary) return void res.type('application/octet-stream').send(Buffer.alloc(bytes, 7))
  res.type('text/plain').send(fill.repeat(Math.ceil(bytes / fill.length)).slice(0, bytes))
}

beforeAll(() => {
  const config = loadConfig({ JWT_SECRET: testSecret, AWS_LAMBDA_FUNCTION_NAME: 'notes-test-buffered', TABLE_NAME: 'unused' })
  const logger = createLogger({ write: (line) => logs.push(JSON.parse(line) as LogLine) })
  const app: Express = expressApp()
  app.use(front({ config, logger, requestIdOf: lambdaRequestId }))
  app.get('/answer', answer)
  app.get('/download', async (_req: Request, res: Response) => {
    // 64 MB in 64 KB writes of one buffer: whatever memory grows by is what the function kept of it.
    const chunk = Buffer.alloc(64 * 1024, 1)
    res.type('application/zip')
    for (let i = 0; i < 1024; i++) {
      res.write(chunk)
      if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    res.end()
  })
  app.get('/breaks', async (_req: Request, res: Response) => {
    res.type('text/plain').write('the first half, ')
    await new Promise((resolve) => setTimeout(resolve, 5))
    throw new Error('the second half is not coming')
  })
  app.use(back({ logger }))
  handler = createLambdaHandler(app, logger)
})

async function send(toEvent: (req: HttpRequest) => object, path: string): Promise<{ result: HttpResult; requestId: string }> {
  const event = toEvent({ method: 'GET', path }) as { requestContext: { requestId?: string } }
  const context = lambdaContext()
  const result = await handler(event as never, context)
  return { result, requestId: event.requestContext.requestId ?? context.awsRequestId }
}

const headerOf = (result: HttpResult, name: string) => result.headers?.[name] ?? result.multiValueHeaders?.[name]?.[0]
const resultBytes = (result: HttpResult) => Buffer.byteLength(JSON.stringify(result))

describe('handler: an answer larger than a buffered Lambda result', () => {
  it.each(eventSources.filter((source) => !source.name.startsWith('ALB')).map((source) => [source.name, source] as const))(
    '%s: 7 MB of JSON text is a 502 problem that says so, with the request id, a log line and a 502 in the access log',
    async (_name, source) => {
      const { result, requestId } = await send((req) => source.toEvent(req), `/answer?bytes=${7 * MiB}`)
      const body = JSON.parse(result.body)

      expect(result.statusCode).toBe(502)
      expect(headerOf(result, 'content-type')).toBe('application/problem+json; charset=utf-8')
      expect(headerOf(result, 'x-request-id')).toBe(requestId)
      expect(headerOf(result, 'x-content-type-options')).toBe('nosniff')
      expect(body).toMatchObject({ type: 'about:blank', title: 'Bad Gateway', status: 502, requestId })
      expect(body.detail).toMatch(
        /at least 7\.0 MB, more than this endpoint can return \(a buffered Lambda response carries at most 6\.0 MB\)/,
      )
      expect(body.detail).toMatch(/streaming origin/)
      expect(logs).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: 'answer too large for a buffered response',
          requestId,
          limit: 6 * MiB,
          status: 200,
        }),
      )
      const logged = logs.find((line) => line.msg === 'answer too large for a buffered response' && line.requestId === requestId)
      expect(logged?.bytes).toBeGreaterThan(7 * MiB)
      const requestLines = logs.filter((line) => line.msg === 'request' && line.requestId === requestId)
      expect(requestLines).toEqual([expect.objectContaining({ path: '/answer', status: 502 })])
    },
  )

  it('lets an answer that fits pass whole, and everything it lets pass fits', async () => {
    for (const query of [`bytes=${5 * MiB}`, `bytes=${4 * MiB}&binary=1`, `bytes=${6 * MiB - 4096}`]) {
      const { result } = await send(httpApiEvent, `/answer?${query}`)

      expect({ query, status: result.statusCode }).toEqual({ query, status: 200 })
      expect(resultBytes(result)).toBeLessThanOrEqual(bufferedLimits.lambda)
    }
  })

  it('counts what Lambda counts: base64 for a binary body, JSON escapes for a text one', async () => {
    const binary = await send(httpApiEvent, `/answer?bytes=${5 * MiB}&binary=1`) // 6.7 MB once base64-encoded
    const quotes = await send(functionUrlEvent, `/answer?bytes=${3.5 * MiB}&fill=${encodeURIComponent('"')}`) // 7 MB once escaped
    const plain = await send(functionUrlEvent, `/answer?bytes=${3.5 * MiB}`)

    expect(binary.result.statusCode).toBe(502)
    expect(quotes.result.statusCode).toBe(502)
    expect(plain.result.statusCode).toBe(200)
  })

  it('holds an ALB’s answers to the 1 MB it takes from Lambda', async () => {
    const alb = await send((req) => albEvent(req, { multiValue: true }), `/answer?bytes=${1.5 * MiB}`)
    const httpApi = await send(httpApiEvent, `/answer?bytes=${1.5 * MiB}`)

    expect(alb.result.statusCode).toBe(502)
    expect(JSON.parse(alb.result.body).detail).toMatch(/at most 1\.0 MB/)
    expect(httpApi.result.statusCode).toBe(200)
  })

  it('keeps no more than the limit of a 64 MB answer in memory on its way to refusing it', async () => {
    const before = process.memoryUsage().arrayBuffers
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 1)

    const { result } = await send(httpApiEvent, '/download')
    clearInterval(sampler)
    peak = Math.max(peak, process.memoryUsage().arrayBuffers)

    expect(result.statusCode).toBe(502)
    expect(JSON.parse(result.body).detail).toMatch(/at least 85\.3 MB/) // 64 MiB, base64-encoded
    // Kept whole, the adapter's copies of the body alone would be 64 MB.
    expect(peak - before).toBeLessThan(24 * MiB)
  })
})

describe('handler: an answer that breaks off after its first bytes', () => {
  it('answers the 500 problem at once instead of waiting out the function’s timeout, logged with the request id', async () => {
    const { result, requestId } = await send(httpApiEvent, '/breaks')

    expect(result.statusCode).toBe(500)
    expect(JSON.parse(result.body)).toMatchObject({ status: 500, requestId })
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'error after the response started',
        requestId,
        error: expect.objectContaining({ message: 'the second half is not coming' }),
      }),
    )
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', msg: 'lambda adapter failed', requestId }))
    expect(logs.filter((line) => line.msg === 'request' && line.requestId === requestId)).toEqual([
      expect.objectContaining({ status: 500, aborted: true }),
    ])
  })
})
