/** Structured fields of one log line. Never put a token, password or secret in them. */
export type LogFields = Record<string, unknown>

export interface Logger {
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
}

type Level = 'info' | 'warn' | 'error'

/**
 * A logger that writes one JSON object per line, the shape CloudWatch Logs Insights queries directly.
 * @example createLogger({ write: (line) => lines.push(line) }) // capture in a test
 */
export function createLogger(options: { write?: (line: string) => void; base?: LogFields } = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'))
  const base = options.base ?? {}
  const log =
    (level: Level) =>
    (msg: string, fields: LogFields = {}) =>
      write(JSON.stringify({ level, time: new Date().toISOString(), msg, ...base, ...fields }, errorsAsObjects))
  return { info: log('info'), warn: log('warn'), error: log('error') }
}

function errorsAsObjects(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack }
  return value
}
