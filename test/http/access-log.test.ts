import request from 'supertest'
import { createNote, createTestApp, registerUser, type TestApp } from '../helpers/app'

let t: TestApp
beforeAll(async () => void (t = await createTestApp()))
afterAll(() => t.close())

const requestLines = () => t.logs.filter((line) => line.msg === 'request')

describe('access log', () => {
  it('writes one JSON line per request with method, route pattern, status, duration, request id and user id', async () => {
    const user = await registerUser(t.app)
    const note = await createNote(t.app, user.auth)
    const before = requestLines().length

    const res = await request(t.app).get(`/api/notes/${note.id}`).set(user.auth).set('X-Request-Id', 'trace-me-1')

    const lines = requestLines().slice(before)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toEqual({
      level: 'info',
      time: expect.any(String),
      msg: 'request',
      requestId: 'trace-me-1',
      method: 'GET',
      route: '/api/notes/:id',
      path: `/api/notes/${note.id}`,
      status: res.status,
      durationMs: expect.any(Number),
      userId: user.id,
    })
  })

  it('logs errors and unknown routes too', async () => {
    const before = requestLines().length

    await request(t.app).get('/nowhere?x=1')
    await request(t.app).get('/api/me')

    expect(
      requestLines()
        .slice(before)
        .map((line) => [line.path, line.status]),
    ).toEqual([
      ['/nowhere', 404],
      ['/api/me', 401],
    ])
  })

  it('never writes a password, a token or the JWT secret', async () => {
    const password = 'a very private passphrase'
    const res = await request(t.app).post('/auth/register').send({ email: 'quiet@example.com', password })
    await request(t.app).post('/auth/login').send({ email: 'quiet@example.com', password: 'wrong one here' })
    await request(t.app).get('/api/me').set('Authorization', `Bearer ${res.body.token}`)

    const everything = JSON.stringify(t.logs)
    expect(everything).not.toContain(password)
    expect(everything).not.toContain(res.body.token)
    expect(everything).not.toContain(res.body.token.split('.')[2])
    expect(everything).not.toContain('test-secret-that-is-at-least-32-bytes-long')
  })
})
