import { GetCommand } from '@aws-sdk/lib-dynamodb'
import request from 'supertest'
import { createNote, createTestApp, registerUser, type TestApp } from '../helpers/app'
import { bearer, signToken } from '../helpers/tokens'

let t: TestApp
let auth: Record<string, string>
let userId: string
beforeAll(async () => {
  t = await createTestApp()
  ;({ auth, id: userId } = await registerUser(t.app))
})
afterAll(() => t.close())

const missingId = '01ARZ3NDEKTSV4RRFFQ69G5FAV'

describe('POST /api/notes', () => {
  it('when the note is valid, then 201 with the note, Location and ETag', async () => {
    const res = await request(t.app)
      .post('/api/notes')
      .set(auth)
      .send({ title: 'Groceries', body: 'milk, eggs', tags: ['home', 'todo'] })

    expect(res.status).toBe(201)
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9A-Z]{26}$/),
      title: 'Groceries',
      body: 'milk, eggs',
      tags: ['home', 'todo'],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: res.body.createdAt,
      version: 1,
    })
    expect(res.headers.location).toBe(`/api/notes/${res.body.id}`)
    expect(res.headers.etag).toBe('"1"')
    expect(res.headers['cache-control']).toBe('no-store')
    const stored = await request(t.app).get(res.headers.location).set(auth)
    expect(stored.body).toEqual(res.body)
  })

  it('when only a title is given, then body and tags default to empty', async () => {
    const note = await createNote(t.app, auth, { title: 'Just a title' })

    expect(note).toEqual(expect.objectContaining({ body: '', tags: [] }))
  })

  it('accepts the limits exactly: 200-char title, 50,000-char body, 20 tags of 50 chars', async () => {
    const tags = Array.from({ length: 20 }, (_, i) => String(i).padEnd(50, 'x'))

    const res = await request(t.app)
      .post('/api/notes')
      .set(auth)
      .send({ title: 't'.repeat(200), body: 'b'.repeat(50_000), tags })

    expect(res.status).toBe(201)
  })

  it.each([
    ['no title', {}, 'body.title'],
    ['an empty title', { title: '' }, 'body.title'],
    ['a blank title', { title: '   \t ' }, 'body.title'],
    ['a title of 201 characters', { title: 't'.repeat(201) }, 'body.title'],
    ['a title that is a number', { title: 42 }, 'body.title'],
    ['a body of 50,001 characters', { title: 'x', body: 'b'.repeat(50_001) }, 'body.body'],
    ['21 tags', { title: 'x', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'body.tags'],
    ['duplicate tags', { title: 'x', tags: ['a', 'a'] }, 'body.tags'],
    ['an empty tag', { title: 'x', tags: [''] }, 'body.tags.0'],
    ['a tag of 51 characters', { title: 'x', tags: ['t'.repeat(51)] }, 'body.tags.0'],
    ['tags that are not a list', { title: 'x', tags: 'a,b' }, 'body.tags'],
    ['a client-chosen id', { title: 'x', id: missingId }, 'body.id'],
    ['a userId', { title: 'x', userId: 'someone-else' }, 'body.userId'],
    ['a version', { title: 'x', version: 7 }, 'body.version'],
  ])('when the note has %s, then 400 naming the field and nothing is stored', async (_case, body, path) => {
    const before = await request(t.app).get('/api/notes?limit=100').set(auth)

    const res = await request(t.app).post('/api/notes').set(auth).send(body)

    expect(res.status).toBe(400)
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]))
    const after = await request(t.app).get('/api/notes?limit=100').set(auth)
    expect(after.body.items).toEqual(before.body.items)
  })

  it('when the body is a JSON array, then 400', async () => {
    const res = await request(t.app)
      .post('/api/notes')
      .set(auth)
      .send([{ title: 'x' }])

    expect(res.status).toBe(400)
  })
})

describe('GET /api/notes/:id', () => {
  it('when the note exists, then 200 with its ETag', async () => {
    const note = await createNote(t.app, auth)

    const res = await request(t.app).get(`/api/notes/${note.id}`).set(auth)

    expect(res.status).toBe(200)
    expect(res.body).toEqual(note)
    expect(res.headers.etag).toBe('"1"')
  })

  it.each([missingId, 'not-an-id', 'x'.repeat(2000), '%00', '..%2F..%2Fetc'])('when the id is %p, then 404', async (id) => {
    const res = await request(t.app).get(`/api/notes/${id}`).set(auth)

    expect(res.status).toBe(404)
    expect(res.headers['content-type']).toContain('application/problem+json')
  })
})

describe('PATCH /api/notes/:id', () => {
  it('when some fields change, then the others stay and the version and ETag move on', async () => {
    const note = await createNote(t.app, auth, { title: 'Old', body: 'keep me', tags: ['a'] })

    const res = await request(t.app).patch(`/api/notes/${note.id}`).set(auth).send({ title: 'New', tags: [] })

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ ...note, title: 'New', tags: [], version: 2, updatedAt: expect.any(String) })
    expect(res.body.updatedAt > note.updatedAt).toBe(true)
    expect(res.headers.etag).toBe('"2"')
  })

  it('when If-Match names the current version, then the change is made', async () => {
    const note = await createNote(t.app, auth)

    const res = await request(t.app).patch(`/api/notes/${note.id}`).set(auth).set('If-Match', '"1"').send({ body: 'fresh' })

    expect(res.status).toBe(200)
    expect(res.body.version).toBe(2)
  })

  it('when If-Match is stale, then 412 with the current ETag and the note is unchanged', async () => {
    const note = await createNote(t.app, auth, { title: 'Original' })
    await request(t.app).patch(`/api/notes/${note.id}`).set(auth).send({ title: 'Second' })

    const res = await request(t.app).patch(`/api/notes/${note.id}`).set(auth).set('If-Match', '"1"').send({ title: 'Lost update' })

    expect(res.status).toBe(412)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.headers.etag).toBe('"2"')
    const current = await request(t.app).get(`/api/notes/${note.id}`).set(auth)
    expect(current.body).toEqual(expect.objectContaining({ title: 'Second', version: 2 }))
  })

  it.each(['W/"1"', '"abc"', 'garbage'])('when If-Match is %p, which cannot match strongly, then 412', async (ifMatch) => {
    const note = await createNote(t.app, auth)

    const res = await request(t.app).patch(`/api/notes/${note.id}`).set(auth).set('If-Match', ifMatch).send({ title: 'x' })

    expect(res.status).toBe(412)
  })

  it('when If-Match is * or a list holding the current version, then the change is made', async () => {
    const note = await createNote(t.app, auth)

    const star = await request(t.app).patch(`/api/notes/${note.id}`).set(auth).set('If-Match', '*').send({ title: 'a' })
    const list = await request(t.app).patch(`/api/notes/${note.id}`).set(auth).set('If-Match', '"7", "2"').send({ title: 'b' })

    expect(star.status).toBe(200)
    expect(list.status).toBe(200)
    expect(list.body.version).toBe(3)
  })

  it('when 20 clients PATCH with the same If-Match at once, then exactly one wins and the rest get 412', async () => {
    const note = await createNote(t.app, auth)

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(t.app)
          .patch(`/api/notes/${note.id}`)
          .set(auth)
          .set('If-Match', '"1"')
          .send({ title: `writer ${i}` }),
      ),
    )

    const winners = results.filter((res) => res.status === 200)
    expect(winners).toHaveLength(1)
    expect(results.filter((res) => res.status === 412)).toHaveLength(19)
    const current = await request(t.app).get(`/api/notes/${note.id}`).set(auth)
    expect(current.body).toEqual(expect.objectContaining({ title: winners[0].body.title, version: 2 }))
  })

  it('when 20 clients PATCH without If-Match at once, then every update lands and none is lost', async () => {
    const note = await createNote(t.app, auth)

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(t.app)
          .patch(`/api/notes/${note.id}`)
          .set(auth)
          .send({ body: `${i}` }),
      ),
    )

    expect(results.every((res) => res.status === 200)).toBe(true)
    expect(results.map((res) => res.body.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2))
  })

  it.each([
    ['an empty patch', {}, 'body'],
    ['a version', { version: 9 }, 'body.version'],
    ['an id', { id: missingId }, 'body.id'],
    ['a createdAt', { createdAt: '2000-01-01T00:00:00.000Z' }, 'body.createdAt'],
    ['a null title', { title: null }, 'body.title'],
    ['a blank title', { title: ' ' }, 'body.title'],
  ])('when the patch has %s, then 400 and the note is unchanged', async (_case, patch, path) => {
    const note = await createNote(t.app, auth)

    const res = await request(t.app).patch(`/api/notes/${note.id}`).set(auth).send(patch)

    expect(res.status).toBe(400)
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]))
    expect((await request(t.app).get(`/api/notes/${note.id}`).set(auth)).body).toEqual(note)
  })

  it('when the note does not exist, then 404 (with or without If-Match)', async () => {
    const plain = await request(t.app).patch(`/api/notes/${missingId}`).set(auth).send({ title: 'x' })
    const conditional = await request(t.app).patch(`/api/notes/${missingId}`).set(auth).set('If-Match', '"1"').send({ title: 'x' })

    expect(plain.status).toBe(404)
    expect(conditional.status).toBe(404)
  })

  it('when the patch is not JSON, then 415', async () => {
    const note = await createNote(t.app, auth)

    const res = await request(t.app).patch(`/api/notes/${note.id}`).set(auth).set('Content-Type', 'text/plain').send('title=x')

    expect(res.status).toBe(415)
  })
})

describe('DELETE, the trash and restore', () => {
  it('when a note is deleted, then it leaves the list, shows in the trash with a 30-day TTL, and restore brings it back', async () => {
    const note = await createNote(t.app, auth, { title: 'Doomed' })

    const del = await request(t.app).delete(`/api/notes/${note.id}`).set(auth)

    expect(del.status).toBe(204)
    expect(del.text).toBe('')
    expect((await request(t.app).get(`/api/notes/${note.id}`).set(auth)).status).toBe(404)
    expect((await request(t.app).get('/api/notes?limit=100').set(auth)).body.items.map((n: { id: string }) => n.id)).not.toContain(note.id)
    const trash = await request(t.app).get('/api/trash').set(auth)
    expect(trash.status).toBe(200)
    expect(trash.body.items[0]).toEqual(expect.objectContaining({ id: note.id, title: 'Doomed', version: 2 }))
    const { Item } = await t.db.send(
      new GetCommand({ TableName: t.config.tableName, Key: { pk: `USER#${userId}`, sk: `NOTE#${note.id}` } }),
    )
    const thirtyDays = 30 * 24 * 3600
    expect(Item!.expiresAt).toBeGreaterThan(Date.now() / 1000 + thirtyDays - 60)
    expect(Item!.expiresAt).toBeLessThan(Date.now() / 1000 + thirtyDays + 60)

    const restored = await request(t.app).post(`/api/notes/${note.id}/restore`).set(auth)

    expect(restored.status).toBe(200)
    expect(restored.body).toEqual(expect.objectContaining({ id: note.id, title: 'Doomed', version: 3 }))
    expect(restored.headers.etag).toBe('"3"')
    expect((await request(t.app).get(`/api/notes/${note.id}`).set(auth)).status).toBe(200)
    expect((await request(t.app).get('/api/trash?limit=100').set(auth)).body.items.map((n: { id: string }) => n.id)).not.toContain(note.id)
    const after = await t.db.send(new GetCommand({ TableName: t.config.tableName, Key: { pk: `USER#${userId}`, sk: `NOTE#${note.id}` } }))
    expect(after.Item!.expiresAt).toBeUndefined()
  })

  it('when a note is deleted twice, then the second is 404', async () => {
    const note = await createNote(t.app, auth)
    await request(t.app).delete(`/api/notes/${note.id}`).set(auth)

    const again = await request(t.app).delete(`/api/notes/${note.id}`).set(auth)

    expect(again.status).toBe(404)
  })

  it('when a trashed note is edited, then 404', async () => {
    const note = await createNote(t.app, auth)
    await request(t.app).delete(`/api/notes/${note.id}`).set(auth)

    const res = await request(t.app).patch(`/api/notes/${note.id}`).set(auth).send({ title: 'ghost' })

    expect(res.status).toBe(404)
  })

  it('when DELETE carries a stale If-Match, then 412 and the note stays', async () => {
    const note = await createNote(t.app, auth)
    await request(t.app).patch(`/api/notes/${note.id}`).set(auth).send({ title: 'changed' })

    const res = await request(t.app).delete(`/api/notes/${note.id}`).set(auth).set('If-Match', '"1"')

    expect(res.status).toBe(412)
    expect((await request(t.app).get(`/api/notes/${note.id}`).set(auth)).status).toBe(200)
  })

  it('when a live note or an unknown id is restored, then 404', async () => {
    const note = await createNote(t.app, auth)

    expect((await request(t.app).post(`/api/notes/${note.id}/restore`).set(auth)).status).toBe(404)
    expect((await request(t.app).post(`/api/notes/${missingId}/restore`).set(auth)).status).toBe(404)
  })

  it('when a note has been in the trash for over 30 days, then it is neither listed nor restorable, even before TTL removes it', async () => {
    const note = await createNote(t.app, auth, { title: 'Old trash' })
    await request(t.app).delete(`/api/notes/${note.id}`).set(auth)

    t.clock.advance(31 * 24 * 3600 * 1000)
    try {
      const later = Math.floor(t.clock().getTime() / 1000)
      const laterAuth = bearer(signToken(t.config, { sub: userId, iat: later, exp: later + 600 }))
      const trash = await request(t.app).get('/api/trash?limit=100').set(laterAuth)
      const restore = await request(t.app).post(`/api/notes/${note.id}/restore`).set(laterAuth)

      expect(trash.status).toBe(200)
      expect(trash.body.items.map((n: { id: string }) => n.id)).not.toContain(note.id)
      expect(restore.status).toBe(404)
    } finally {
      t.clock.advance(-31 * 24 * 3600 * 1000)
    }
  })

  it('when the trash holds several notes, then the most recently trashed comes first', async () => {
    const first = await createNote(t.app, auth, { title: 'first' })
    const second = await createNote(t.app, auth, { title: 'second' })
    await request(t.app).delete(`/api/notes/${second.id}`).set(auth)
    await request(t.app).delete(`/api/notes/${first.id}`).set(auth)

    const trash = await request(t.app).get('/api/trash?limit=2').set(auth)

    expect(trash.body.items.map((n: { id: string }) => n.id)).toEqual([first.id, second.id])
  })
})
