import { createHmac } from 'node:crypto'
import request from 'supertest'
import { createNote, createTestApp, registerUser, type TestApp } from '../helpers/app'

let t: TestApp
let alice: Awaited<ReturnType<typeof registerUser>>
let bob: Awaited<ReturnType<typeof registerUser>>
const created: string[] = []

beforeAll(async () => {
  t = await createTestApp()
  alice = await registerUser(t.app)
  bob = await registerUser(t.app)
  for (let i = 0; i < 23; i++) created.push((await createNote(t.app, alice.auth, { title: `note ${i}` })).id)
  await createNote(t.app, bob.auth, { title: 'bob' })
})
afterAll(() => t.close())

async function readAll(path: string, auth: Record<string, string>, limit: number) {
  const pages: string[][] = []
  let cursor: string | null = null
  do {
    const query: Record<string, string | number> = { limit }
    if (cursor) query.cursor = cursor
    const res = await request(t.app).get(path).query(query).set(auth)
    expect(res.status).toBe(200)
    pages.push(res.body.items.map((note: { id: string }) => note.id))
    cursor = res.body.nextCursor
  } while (cursor && pages.length < 50)
  return pages
}

describe('GET /api/notes pagination', () => {
  it('when read page by page, then every note comes once, newest first, with no gap and no empty last page', async () => {
    const pages = await readAll('/api/notes', alice.auth, 5)

    expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3])
    expect(pages.flat()).toEqual([...created].reverse())
  })

  it('when the page size divides the count exactly, then the last page still says there is no more', async () => {
    await createNote(t.app, alice.auth, { title: 'twenty-fourth' }).then((note) => created.push(note.id))

    const pages = await readAll('/api/notes', alice.auth, 8)

    expect(pages.map((page) => page.length)).toEqual([8, 8, 8])
  })

  it('defaults to 20 notes a page', async () => {
    const res = await request(t.app).get('/api/notes').set(alice.auth)

    expect(res.body.items).toHaveLength(20)
    expect(typeof res.body.nextCursor).toBe('string')
  })

  it('when a note is created between pages, then the next page neither repeats nor skips the older notes', async () => {
    const first = await request(t.app).get('/api/notes?limit=4').set(alice.auth)
    await createNote(t.app, alice.auth, { title: 'newer' }).then((note) => created.push(note.id))

    const second = await request(t.app).get('/api/notes').query({ limit: 4, cursor: first.body.nextCursor }).set(alice.auth)

    const seen = [...first.body.items, ...second.body.items].map((note: { id: string }) => note.id)
    expect(seen).toEqual([...created].reverse().slice(1, 9))
  })

  it.each(['0', '101', '-1', 'ten', '1.5', '1e1', ''])('when limit is %p, then 400 naming it', async (limit) => {
    const res = await request(t.app).get(`/api/notes?limit=${limit}`).set(alice.auth)

    expect(res.status).toBe(400)
    expect(res.body.errors[0].path).toBe('query.limit')
  })

  it('when a query parameter is unknown or repeated, then 400', async () => {
    const unknown = await request(t.app).get('/api/notes?sort=asc').set(alice.auth)
    const repeated = await request(t.app).get('/api/notes?limit=5&limit=6').set(alice.auth)

    expect(unknown.status).toBe(400)
    expect(unknown.body.errors[0].path).toBe('query.sort')
    expect(repeated.status).toBe(400)
  })
})

describe('cursors', () => {
  let cursor: string
  beforeAll(async () => {
    cursor = (await request(t.app).get('/api/notes?limit=2').set(alice.auth)).body.nextCursor
  })

  const expectBadCursor = (res: request.Response) => {
    expect(res.status).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.body.errors).toEqual([{ path: 'query.cursor', message: 'Invalid cursor' }])
  }

  it('when a cursor is altered by one character, then 400', async () => {
    const flipped = cursor.slice(0, 3) + (cursor[3] === 'A' ? 'B' : 'A') + cursor.slice(4)

    expectBadCursor(await request(t.app).get('/api/notes').query({ cursor: flipped }).set(alice.auth))
  })

  it('when the payload is swapped for another position, then 400', async () => {
    const [, signature] = cursor.split('.')
    const forged = Buffer.from(JSON.stringify(['NOTE#01ARZ3NDEKTSV4RRFFQ69G5FAV', '01ARZ3NDEKTSV4RRFFQ69G5FAV'])).toString('base64url')

    expectBadCursor(
      await request(t.app)
        .get('/api/notes')
        .query({ cursor: `${forged}.${signature}` })
        .set(alice.auth),
    )
  })

  it("when another user replays Alice's cursor, then 400, never a page of her notes", async () => {
    expectBadCursor(await request(t.app).get('/api/notes').query({ cursor }).set(bob.auth))
  })

  it('when a cursor of the list is used on the trash, then 400', async () => {
    expectBadCursor(await request(t.app).get('/api/trash').query({ cursor }).set(alice.auth))
  })

  it.each(['garbage', 'a.b.c', '.', '%%%'])('when the cursor is %p, then 400', async (bad) => {
    expectBadCursor(await request(t.app).get('/api/notes').query({ cursor: bad }).set(alice.auth))
  })
})

describe('GET /api/trash pagination', () => {
  it('when read page by page, then every trashed note comes once and live notes never', async () => {
    const trashed = created.slice(0, 7)
    for (const id of trashed) await request(t.app).delete(`/api/notes/${id}`).set(alice.auth)

    const pages = await readAll('/api/trash', alice.auth, 3)

    expect(pages.map((page) => page.length)).toEqual([3, 3, 1])
    expect(pages.flat()).toEqual([...trashed].reverse())
    const live = (await readAll('/api/notes', alice.auth, 100)).flat()
    expect(live.some((id) => trashed.includes(id))).toBe(false)
  })
})

describe('cursors signed with the right key but holding no position of the listing', () => {
  /** Signs a payload as the app does: what someone holding the cursor key could make. */
  function signed(payload: string, userId: string, listing: 'live' | 'trash'): string {
    const encoded = Buffer.from(payload).toString('base64url')
    const mac = createHmac('sha256', t.config.cursorKey).update(`${userId}\n${listing}\n${encoded}`).digest('base64url')
    return `${encoded}.${mac}`
  }
  const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV'

  it.each([
    ['not JSON', 'not json'],
    ['an object', '{"sk":"NOTE#x"}'],
    ['an empty array', '[]'],
    ['empty keys', '["",""]'],
    ['numbers', '[1,2]'],
    ['three keys', `["NOTE#${id}","${id}","x"]`],
    ['a sort key that names no note', `["USER#x","${id}"]`],
    ['an index key of another note', `["NOTE#${id}","01ARZ3NDEKTSV4RRFFQ69G5FAW"]`],
    ['null', 'null'],
  ])('when the payload is %s, then 400 and nothing is logged as an error', async (_name, payload) => {
    const errorsBefore = t.logs.filter((line) => line.level === 'error').length

    const res = await request(t.app)
      .get('/api/notes')
      .query({ cursor: signed(payload, alice.id, 'live') })
      .set(alice.auth)

    expect(res.status).toBe(400)
    expect(res.body.errors).toEqual([{ path: 'query.cursor', message: 'Invalid cursor' }])
    expect(t.logs.filter((line) => line.level === 'error')).toHaveLength(errorsBefore)
  })

  it.each([
    ['a trash start older than the trash keeps', `["NOTE#${id}","2000-01-01T00:00:00.000Z#${id}"]`],
    ['a trash start that is no time', `["NOTE#${id}","yesterday#${id}"]`],
  ])('when the trash cursor holds %s, then 400', async (_name, payload) => {
    const res = await request(t.app)
      .get('/api/trash')
      .query({ cursor: signed(payload, alice.id, 'trash') })
      .set(alice.auth)

    expect(res.status).toBe(400)
    expect(res.body.errors).toEqual([{ path: 'query.cursor', message: 'Invalid cursor' }])
  })

  it('when the position is well formed, then the listing goes on from it', async () => {
    const res = await request(t.app)
      .get('/api/notes')
      .query({ cursor: signed(`["NOTE#${id}","${id}"]`, alice.id, 'live') })
      .set(alice.auth)

    expect(res.status).toBe(200)
  })
})
