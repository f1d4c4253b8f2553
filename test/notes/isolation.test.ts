import request from 'supertest'
import { createNote, createTestApp, registerUser, type TestApp } from '../helpers/app'

let t: TestApp
let alice: Awaited<ReturnType<typeof registerUser>>
let bob: Awaited<ReturnType<typeof registerUser>>
let note: Awaited<ReturnType<typeof createNote>>
let trashed: Awaited<ReturnType<typeof createNote>>

beforeAll(async () => {
  t = await createTestApp()
  alice = await registerUser(t.app)
  bob = await registerUser(t.app)
  note = await createNote(t.app, alice.auth, { title: "Alice's secret", body: 'for Alice only' })
  trashed = await createNote(t.app, alice.auth, { title: "Alice's trashed secret" })
  await request(t.app).delete(`/api/notes/${trashed.id}`).set(alice.auth)
})
afterAll(() => t.close())

describe("another user's notes", () => {
  it("when Bob lists his notes and his trash, then none of Alice's appear", async () => {
    const list = await request(t.app).get('/api/notes?limit=100').set(bob.auth)
    const trash = await request(t.app).get('/api/trash?limit=100').set(bob.auth)

    expect(list.body).toEqual({ items: [], nextCursor: null })
    expect(trash.body).toEqual({ items: [], nextCursor: null })
  })

  it.each([
    ['reads', () => request(t.app).get(`/api/notes/${note.id}`)],
    ['edits', () => request(t.app).patch(`/api/notes/${note.id}`).send({ title: 'pwned' })],
    ['edits with If-Match', () => request(t.app).patch(`/api/notes/${note.id}`).set('If-Match', '"1"').send({ title: 'pwned' })],
    ['deletes', () => request(t.app).delete(`/api/notes/${note.id}`)],
    ['deletes with If-Match', () => request(t.app).delete(`/api/notes/${note.id}`).set('If-Match', '"1"')],
    ['restores a trashed one', () => request(t.app).post(`/api/notes/${trashed.id}/restore`)],
  ])("when Bob %s Alice's note, then 404 as if it did not exist", async (_action, send) => {
    const res = await send().set(bob.auth)

    expect(res.status).toBe(404)
    expect(JSON.stringify(res.body)).not.toContain('Alice')
  })

  it("after all of Bob's attempts, Alice's notes are untouched", async () => {
    const current = await request(t.app).get(`/api/notes/${note.id}`).set(alice.auth)
    const trash = await request(t.app).get('/api/trash').set(alice.auth)

    expect(current.body).toEqual(note)
    expect(trash.body.items.map((n: { id: string }) => n.id)).toEqual([trashed.id])
  })
})
