import * as z from 'zod/mini'
import { builtOnFirstUse, meta } from '../http/zod'

// Each schema is built the first time it is needed (see builtOnFirstUse): a list builds `listQuery` alone.

const fields = builtOnFirstUse(() => ({
  title: z.string().check(
    z.minLength(1, 'Must not be empty'),
    z.maxLength(200, 'Must be at most 200 characters'),
    z.refine((value) => value.trim().length > 0, 'Must not be blank'),
  ),
  body: z.string().check(z.maxLength(50_000, 'Must be at most 50,000 characters')),
  tags: z.array(z.string().check(z.minLength(1, 'Must not be empty'), z.maxLength(50, 'Must be at most 50 characters'))).check(
    z.maxLength(20, 'At most 20 tags'),
    z.refine((list) => new Set(list).size === list.length, 'Tags must be distinct'),
  ),
}))

/** `POST /api/notes`. Strict: a client can never set `id`, `version` or any other server-owned field. */
export const noteCreate = builtOnFirstUse(() => {
  const { title, body, tags } = fields()
  return meta(z.strictObject({ title, body: z._default(body, ''), tags: z._default(tags, []) }), { id: 'NoteCreate' })
})

/** `PATCH /api/notes/:id`: any of the fields, at least one. */
export const notePatch = builtOnFirstUse(() => {
  const { title, body, tags } = fields()
  return meta(
    z
      .strictObject({ title: z.optional(title), body: z.optional(body), tags: z.optional(tags) })
      .check(z.refine((patch) => Object.keys(patch).length > 0, 'Send at least one of title, body, tags')),
    { id: 'NotePatch' },
  )
})

const limitMessage = 'Must be a whole number from 1 to 100'

/** Query of the lists. `limit` is digits only: "1e2" or " 5" are mistakes, not numbers. */
export const listQuery = builtOnFirstUse(() =>
  z.strictObject({
    limit: meta(
      z._default(
        z.optional(
          z.pipe(
            z.pipe(z.string().check(z.regex(/^\d{1,3}$/, limitMessage)), z.transform(Number)),
            z.number().check(z.gte(1, limitMessage), z.lte(100, limitMessage)),
          ),
        ),
        20,
      ),
      // What a client sends, for the OpenAPI document: the query string carries it as digits.
      { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Page size' },
    ),
    cursor: meta(z.optional(z.string().check(z.minLength(1), z.maxLength(1024))), { description: 'The `nextCursor` of the previous page' }),
  }),
)

export const note = builtOnFirstUse(() =>
  meta(
    z.object({
      id: z.string(),
      title: z.string(),
      body: z.string(),
      tags: z.array(z.string()),
      createdAt: z.iso.datetime(),
      updatedAt: z.iso.datetime(),
      version: z.int().check(z.gte(1)),
    }),
    { id: 'Note' },
  ),
)

export const notePage = builtOnFirstUse(() =>
  meta(z.object({ items: z.array(note()), nextCursor: z.nullable(z.string()) }), { id: 'NotePage' }),
)

/** `GET /api/notes/export`: every live note, newest first, in one response. */
export const noteExport = builtOnFirstUse(() =>
  meta(z.object({ exportedAt: z.iso.datetime(), items: z.array(note()) }), { id: 'NoteExport' }),
)

/** The export takes no query parameters; any is a mistake, as on every other route. */
export const exportQuery = builtOnFirstUse(() => z.strictObject({}))

export type Note = z.infer<ReturnType<typeof note>>
export type NotePage = z.infer<ReturnType<typeof notePage>>
export type NoteExport = z.infer<ReturnType<typeof noteExport>>
export type NoteCreate = z.output<ReturnType<typeof noteCreate>>
export type NotePatch = z.output<ReturnType<typeof notePatch>>
