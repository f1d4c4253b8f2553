import fc from 'fast-check'
import { createNote, createTestApp, registerUser, type TestApp } from '../helpers/app'
import { expectWellFormed, listen, send } from './fuzz-helpers'
import type { Note, NotePage } from '../../app/notes/schema'

/**
 * Random JSON at every route that takes a body: wrong types, huge and empty strings, unicode,
 * deep nesting, extra fields. Never a 5xx, always a problem for a 4xx, and a rejected write
 * changes nothing that is stored.
 */
jest.setTimeout(120_000)

let t: TestApp
let server: Awaited<ReturnType<typeof listen>>
let auth: Record<string, string>
beforeAll(async () => {
  t = await createTestApp()
  server = await listen(t.app)
  ;({ auth } = await registerUser(t.app))
})
afterAll(async () => {
  await server.close()
  await t.close()
})

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '🙂'.repeat(120),
    'a'.repeat(201),
    'x'.repeat(50_001),
    '<script>alert(1)</script>',
    '{"$ne":null}',
  ),
)
const deep = fc.integer({ min: 1, max: 2_000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)))
const value = fc.oneof(fc.jsonValue({ maxDepth: 4 }), text, deep, fc.array(text, { maxLength: 25 }))
const noteLike = fc.record(
  { title: value, body: value, tags: value, id: value, version: value, userId: value, extra: value },
  { requiredKeys: [] },
)
const anyBody = fc.oneof(noteLike, fc.jsonValue({ maxDepth: 6 }), fc.dictionary(text, value, { maxKeys: 5 }))

/** Either the JSON of a value or a few raw bytes that are almost JSON. */
const payload = fc.oneof(
  { weight: 4, arbitrary: anyBody.map((body) => JSON.stringify(body) ?? 'null') },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constantFrom('{', '{"title":', '[1,]', '\u0000', '{"title":"x"}}', 'nul')) },
)

describe('fuzzing bodies', () => {
  it('POST /api/notes: only valid notes are stored, everything else is a clean 4xx', async () => {
    const created: string[] = []
    await fc.assert(
      fc.asyncProperty(payload, async (body) => {
        const answer = await send(server.base, 'POST', '/api/notes', { headers: { ...auth, 'content-type': 'application/json' }, body })
        expectWellFormed(answer, `POST ${body.slice(0, 200)}`)
        if (answer.status === 201) created.push((answer.json as Note).id)
        else expect([400, 413]).toContain(answer.status)
      }),
      { numRuns: 1500 },
    )

    const listed = (await send(server.base, 'GET', '/api/notes?limit=100', { headers: auth })).json as NotePage
    let all = listed.items.map((note) => note.id)
    for (let cursor = listed.nextCursor; cursor;) {
      const page = (await send(server.base, 'GET', `/api/notes?limit=100&cursor=${cursor}`, { headers: auth })).json as NotePage
      all = all.concat(page.items.map((note) => note.id))
      cursor = page.nextCursor
    }
    expect(all.sort()).toEqual([...created].sort())
  })

  it('PATCH /api/notes/:id: a rejected patch leaves the note exactly as the last accepted one made it', async () => {
    let current = await createNote(t.app, auth, { title: 'target' })
    await fc.assert(
      fc.asyncProperty(
        payload,
        fc.option(
          fc.oneof(
            fc.constant('"1"'),
            fc.string(),
            fc.nat().map((n) => `"${n}"`),
          ),
        ),
        async (body, ifMatch) => {
          const headers: Record<string, string> = { ...auth, 'content-type': 'application/json' }
          if (ifMatch !== null && /^[\x20-\x7e]*$/.test(ifMatch)) headers['if-match'] = ifMatch
          const answer = await send(server.base, 'PATCH', `/api/notes/${current.id}`, { headers, body })
          expectWellFormed(answer, `PATCH ${body.slice(0, 200)}`)
          if (answer.status === 200) {
            const changed = answer.json as Note
            expect(changed.version).toBe(current.version + 1)
            current = changed
          } else {
            expect([400, 412, 413]).toContain(answer.status)
            const stored = await send(server.base, 'GET', `/api/notes/${current.id}`, { headers: auth })
            expect(stored.json).toEqual(current)
          }
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('POST /auth/register and /auth/login: never a 5xx, and a refused registration stores no user', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/auth/register', '/auth/login'), payload, async (route, body) => {
        const answer = await send(server.base, 'POST', route, { headers: { 'content-type': 'application/json' }, body })
        expectWellFormed(answer, `${route} ${body.slice(0, 200)}`)
        if (answer.status >= 400 && route === '/auth/register') {
          const parsed = (() => {
            try {
              return JSON.parse(body)
            } catch {
              return undefined
            }
          })()
          if (typeof parsed?.email === 'string' && typeof parsed?.password === 'string') {
            const login = await send(server.base, 'POST', '/auth/login', {
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ email: parsed.email, password: parsed.password }),
            })
            expect(answer.status === 409 ? [200, 401] : [401, 400]).toContain(login.status)
          }
        }
      }),
      { numRuns: 600 },
    )
  })
})
