import type { Writable } from 'node:stream'
import type { LambdaRuntime } from '../app/lambda/runtime'

export interface InvokeOptions {
  /** Bytes the response stream holds before `write` answers false (16 KiB). */
  highWaterMark?: number
  /** The client takes each chunk this long after it arrived: a slow client. */
  delayMs?: number
  /** The client goes away once this many body bytes arrived: the stream is destroyed. */
  closeAfterBytes?: number
  onPrelude?: (prelude: StreamedPrelude) => void
  /** Body bytes go here, with its backpressure, instead of being kept; its closing early is the client going away. */
  sink?: Writable
  /** How long the stream may stay open after the handler settled (30 s). */
  timeoutMs?: number
}

export interface StreamedPrelude {
  statusCode: number
  headers?: Record<string, string>
  cookies?: string[]
  multiValueHeaders?: Record<string, string[]>
}

export interface StreamedInvocation {
  startedAt: number
  endedAt: number
  contentType: string
  prelude?: StreamedPrelude
  preludeBytes: number
  /** Undefined when a sink took the bytes. */
  body?: Buffer
  bodyBytes: number
  /** Body chunks as they arrived: `ms` after the invoke began, `at` as Date.now(). */
  chunks: { ms: number; at: number; bytes: number }[]
  /** The most bytes the response stream ever held that the client had not taken. */
  maxBuffered: number
  /** Set when the handler rejected: the runtime fails the stream with this error. */
  error?: { errorType: string; errorMessage: string }
  clientClosed: boolean
  /** The stream was still open `timeoutMs` after the handler settled. */
  unfinished: boolean
}

export declare const preludeContentType: string
export declare function createRuntime(): LambdaRuntime
export declare function install(): LambdaRuntime
export declare function invoke(handler: unknown, event: object, context: object, options?: InvokeOptions): Promise<StreamedInvocation>
