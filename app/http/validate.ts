import type * as z from 'zod/mini'
import { HttpError, type FieldError } from '../errors'

/**
 * Parses `input` with a schema or throws a 400 listing every problem with its path.
 * @example const patch = parse(notePatch, req.body, 'body')
 */
export function parse<S extends z.ZodMiniType>(schema: S, input: unknown, where: 'body' | 'query'): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const errors: FieldError[] = result.error.issues.flatMap((issue) => {
    const path = [where, ...issue.path.map(String)]
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: 'Unknown field' }))
    }
    return [{ path: path.join('.'), message: issue.message }]
  })
  throw new HttpError(400, 'Bad Request', {
    detail: where === 'body' ? 'The request body is not valid' : 'The query string is not valid',
    errors,
  })
}
