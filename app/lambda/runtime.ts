/**
 * What Lambda's Node.js runtime gives a function that streams its responses, as the app uses it: the
 * `awslambda` global's `streamifyResponse`, which marks a handler as streaming, and `HttpResponseStream.from`,
 * which makes the response stream open with the JSON prelude (status, headers, cookies) and eight NUL bytes
 * before the body. The global exists only in the runtime; tests and `npm run offline` put a stand-in there
 * (scripts/streaming-runtime.cjs) that speaks the same wire format.
 */

/** The response stream the runtime hands a streaming handler: a writable whose bytes go to the caller. */
export interface ResponseStream {
  write(chunk: Uint8Array | string): boolean
  end(): void
  on(event: 'drain' | 'finish' | 'close', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  off(event: 'drain' | 'finish' | 'close' | 'error', listener: (...args: never[]) => void): unknown
  readonly destroyed: boolean
  readonly writableFinished: boolean
  setContentType(contentType: string): void
}

/** The prelude of an HTTP answer: what Function URLs (`cookies`) and REST APIs (`multiValueHeaders`) read before the body. */
export interface HttpPrelude {
  statusCode: number
  headers: Record<string, string>
  cookies?: string[]
  multiValueHeaders?: Record<string, string[]>
}

export type StreamingHandler<E, C> = (event: E, responseStream: ResponseStream, context: C) => Promise<void>

export interface LambdaRuntime {
  streamifyResponse<E, C>(handler: StreamingHandler<E, C>): StreamingHandler<E, C>
  HttpResponseStream: { from(responseStream: ResponseStream, prelude: HttpPrelude): ResponseStream }
}

/**
 * The runtime's `awslambda` global, or undefined outside Lambda (the dev server, tests that import an
 * entry). The AWS SDK leaves an empty `awslambda` object behind wherever it loads, so its functions say which it is.
 */
export function lambdaRuntime(): LambdaRuntime | undefined {
  const global = (globalThis as { awslambda?: Partial<LambdaRuntime> }).awslambda
  return typeof global?.streamifyResponse === 'function' ? (global as LambdaRuntime) : undefined
}
