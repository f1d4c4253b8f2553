import * as z from 'zod'

const title = z
  .string()
  .min(1, 'Must not be empty')
  .max(200, 'Must be at most 200 characters')
  .refine((value) => value.trim().length > 0, 'Must not be blank')
const body = z.string().max(50_000, 'Must be at most 50,000 characters')
const tags = z
  .array(z.string().min(1, 'Must not be empty').max(50, 'Must be at most 50 characters'))
  .max(20, 'At most 20 tags')
  .refine((list) => new Set(list).size === list.length, 'Tags must be distinct')

/** `POST /api/notes`. Strict: a client can never set `id`, `version` or any other server-owned field. */
export const noteCreate = z.strictObject({ title, body: body.default(''), tags: tags.default([]) }).meta({ id: 'NoteCreate' })

/** `PATCH /api/notes/:id`: any of the fields, at least one. */
export const notePatch = z
  .strictObject({ title: title.optional(), body: body.optional(), tags: tags.optional() })
  .refine((patch) => Object.keys(patch).length > 0, 'Send at least one of title, body, tags')
  .meta({ id: 'NotePatch' })

/** Query of the lists. `limit` is digits only: "1e2" or " 5" are mistakes, not numbers. */
export const listQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'Must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().min(1, 'Must be a whole number from 1 to 100').max(100, 'Must be a whole number from 1 to 100'))
    .optional()
    .default(20)
    // What a client sends, for the OpenAPI document: the query string carries it as digits.
    .meta({ type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Page size' }),
  cursor: z.string().min(1).max(1024).optional().meta({ description: 'The `nextCursor` of the previous page' }),
})

export const note = z
  .object({
    id: z.string(),
    title: z.string(),
    body: z.string(),
    tags: z.array(z.string()),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().int().min(1),
  })
  .meta({ id: 'Note' })

export const notePage = z.object({ items: z.array(note), nextCursor: z.string().nullable() }).meta({ id: 'NotePage' })

/** `GET /api/notes/export`: every live note, newest first, in one response. */
export const noteExport = z.object({ exportedAt: z.iso.datetime(), items: z.array(note) }).meta({ id: 'NoteExport' })

/** The export takes no query parameters; any is a mistake, as on every other route. */
export const exportQuery = z.strictObject({})

export type Note = z.infer<typeof note>
export type NotePage = z.infer<typeof notePage>
export type NoteExport = z.infer<typeof noteExport>
export type NoteCreate = z.output<typeof noteCreate>
export type NotePatch = z.output<typeof notePatch>
