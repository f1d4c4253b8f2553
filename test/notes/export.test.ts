import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import request from 'supertest'
import { createNotesRepository } from '../../app/notes/repository'
import { createNote, createTestApp, registerUser, type TestApp } from '../helpers/app'
import { bearer, signToken } from '../helpers/tokens'

/** `GET /api/notes/export`: every live note of the caller, however many Query pages that takes. */
let t: TestApp
beforeAll(async () => void (t = await createTestApp()))
afterAll(() => t.close())

describe('GET /api/notes/export', () => {
  it('returns every live note, newest first, and leaves out the trash', async () => {
    const ada = await registerUser(t.app)
    const first = await createNote(t.app, ada.auth, { title: 'First', tags: ['a'] })
    const second = await createNote(t.app, ada.auth, { title: 'Second', body: 'text' })
    const trashed = await createNote(t.app, ada.auth, { title: 'Trashed' })
    await request(t.app).delete(`/api/notes/${trashed.id}`).set(ada.auth).expect(204)

    const res = await request(t.app).get('/api/notes/export').set(ada.auth)

    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body.items).toEqual([second, first])
    expect(new Date(res.body.exportedAt).toISOString()).toBe(res.body.exportedAt)
    expect(t.logs.find((l) => l.msg === 'request' && l.path === '/api/notes/export')).toMatchObject({
      route: '/api/notes/export',
      status: 200,
    })
  })

  it('walks every Query page: notes larger than one 1 MB page all arrive, once each', async () => {
    const bob = await registerUser(t.app)
    const body = 'x'.repeat(49_000)
    const created = []
    for (let i = 0; i < 25; i++) created.push(await createNote(t.app, bob.auth, { title: `Big ${i}`, body }))
    const commands: string[] = []
    const counting = {
      send: (command: object) => (commands.push(command.constructor.name), t.db.send(command as never)),
    } as unknown as DynamoDBDocumentClient
    const notes = createNotesRepository({ db: counting, tableName: t.config.tableName, cursorKey: t.config.cursorKey, clock: t.clock })

    const res = await request(t.app).get('/api/notes/export').set(bob.auth)
    const direct = await notes.exportAll(bob.id)

    expect(res.status).toBe(200)
    expect(res.body.items.map((n: { id: string }) => n.id)).toEqual(created.map((n) => n.id).reverse())
    expect(direct.items).toEqual(res.body.items)
    expect(commands.length).toBeGreaterThan(1)
    expect(new Set(commands)).toEqual(new Set(['QueryCommand']))
  })

  it('shows a user nothing of another user’s notes', async () => {
    const owner = await registerUser(t.app)
    await createNote(t.app, owner.auth, { title: 'Private' })
    const other = await registerUser(t.app)

    const res = await request(t.app).get('/api/notes/export').set(other.auth)

    expect(res.body.items).toEqual([])
  })

  it('needs a token with notes:read, and takes no query parameters', async () => {
    const none = await request(t.app).get('/api/notes/export')
    const writeOnly = await request(t.app)
      .get('/api/notes/export')
      .set(bearer(signToken(t.config, { scope: 'notes:write' })))
    const withQuery = await request(t.app)
      .get('/api/notes/export?limit=5')
      .set(bearer(signToken(t.config)))
    const post = await request(t.app)
      .post('/api/notes/export')
      .set(bearer(signToken(t.config)))
      .send({})

    expect(none.status).toBe(401)
    expect(writeOnly.status).toBe(403)
    expect(withQuery.status).toBe(400)
    expect(withQuery.body.errors).toEqual([{ path: 'query.limit', message: 'Unknown field' }])
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET, HEAD')
  })
})
