import type { Request } from 'express'

/** The `name=value` pairs of a request's Cookie header, in the order sent, each trimmed, the value as sent. */
export function* cookiePairs(req: Request): Generator<[name: string, value: string]> {
  for (const pair of (req.get('cookie') ?? '').split(';')) {
    const at = pair.indexOf('=')
    if (at !== -1) yield [pair.slice(0, at).trim(), pair.slice(at + 1).trim()]
  }
}
