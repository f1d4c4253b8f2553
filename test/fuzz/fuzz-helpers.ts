import { Agent, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Express } from 'express'

/** The app on a real socket of 127.0.0.1, so thousands of requests share keep-alive connections. */
export async function listen(app: Express): Promise<{ base: string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => void server.closeAllConnections()),
  }
}

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 })

/** One request over node:http, which sends any method and any raw path, as a hostile client would. */
export function send(
  base: string,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Node sends no length for a DELETE or GET body by default, and the server would read it as the next request.
    const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) }
    const req = request(base + path, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        let json: unknown
        try {
          json = text ? JSON.parse(text) : undefined
        } catch {
          json = undefined
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

const stackTrace =
  /\n\s+at |\bat \S+ \(|\.[jt]s:\d+|node_modules|SyntaxError|TypeError|ReferenceError|Unexpected token|Exception|ECONN|dynamo/i

/**
 * What every answer must be, whatever was sent: never a 5xx, never a stack trace or an internal
 * message; a 4xx is problem+json whose status matches; every answer has a request id and helmet's headers.
 */
export function expectWellFormed(answer: Answer, what: string): void {
  const fail = (why: string) => {
    throw new Error(`${why} for ${what}: ${answer.status} ${answer.text.slice(0, 300)}`)
  }
  if (answer.status >= 500) fail('server error')
  if (!answer.headers['x-request-id']) fail('no X-Request-Id')
  if (answer.headers['x-content-type-options'] !== 'nosniff') fail('no helmet headers')
  if (answer.status >= 400) {
    if (!String(answer.headers['content-type']).startsWith('application/problem+json')) fail('4xx without problem+json')
    const problem = answer.json as { status?: unknown; title?: unknown; detail?: unknown; errors?: { message: string }[] } | undefined
    if (!problem || problem.status !== answer.status || typeof problem.title !== 'string' || typeof problem.detail !== 'string')
      fail('malformed problem')
    // Only what the server wrote: `errors[].path` echoes the client's own field names back.
    const serverWords = JSON.stringify({ ...problem, errors: problem?.errors?.map((e) => e.message) })
    if (stackTrace.test(serverWords)) fail('internal detail in the problem')
  }
}
