import request from 'supertest'
import { createNote, createTestApp, registerUser, type TestApp } from '../helpers/app'
import { injectFault, networkError, sdkError } from '../helpers/faults'

let t: TestApp
let auth: Record<string, string>
beforeAll(async () => {
  t = await createTestApp()
  ;({ auth } = await registerUser(t.app))
})
afterAll(() => t.close())

describe('when DynamoDB is throttled or out of reach', () => {
  it.each([
    ['throttled', sdkError('ProvisionedThroughputExceededException')],
    ['rate-limited', sdkError('ThrottlingException')],
    ['failing inside', sdkError('InternalServerError', 500)],
    ['timing out', sdkError('TimeoutError')],
    ['resetting connections', networkError('ECONNRESET')],
    ['refusing connections', networkError('ECONNREFUSED')],
  ])('when it is %s, then 503 with Retry-After, logged once with the request id', async (_case, error) => {
    const heal = injectFault(t.db, ['QueryCommand'], error)
    const logged = t.logs.length
    try {
      const res = await request(t.app).get('/api/notes').set(auth)

      expect(res.status).toBe(503)
      expect(res.headers['retry-after']).toBe('1')
      expect(res.headers['content-type']).toContain('application/problem+json')
      expect(JSON.stringify(res.body)).not.toMatch(/injected|socket|Exception|stack/)
      const lines = t.logs.slice(logged).filter((line) => line.msg === 'dependency unavailable')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toEqual(expect.objectContaining({ level: 'warn', requestId: res.headers['x-request-id'], status: 503 }))
    } finally {
      heal()
    }
  })

  it('when a create is throttled, then 503 and no note is half-written', async () => {
    const heal = injectFault(t.db, ['PutItemCommand'], sdkError('ThrottlingException'))
    try {
      const res = await request(t.app).post('/api/notes').set(auth).send({ title: 'lost?' })
      expect(res.status).toBe(503)
    } finally {
      heal()
    }

    const list = await request(t.app).get('/api/notes?limit=100').set(auth)
    expect(list.body.items.map((n: { title: string }) => n.title)).not.toContain('lost?')
  })

  it('when an update is throttled, then 503 and the note keeps its old version', async () => {
    const note = await createNote(t.app, auth, { title: 'steady' })
    const heal = injectFault(t.db, ['UpdateItemCommand'], sdkError('ProvisionedThroughputExceededException'))
    try {
      expect((await request(t.app).patch(`/api/notes/${note.id}`).set(auth).send({ title: 'changed' })).status).toBe(503)
    } finally {
      heal()
    }

    expect((await request(t.app).get(`/api/notes/${note.id}`).set(auth)).body).toEqual(note)
  })

  it('when registration is throttled, then 503 and the email stays free', async () => {
    const heal = injectFault(t.db, ['PutItemCommand'], sdkError('ThrottlingException'))
    try {
      const res = await request(t.app).post('/auth/register').send({ email: 'later@example.com', password: 'correct horse battery' })
      expect(res.status).toBe(503)
    } finally {
      heal()
    }

    const retry = await request(t.app).post('/auth/register').send({ email: 'later@example.com', password: 'correct horse battery' })
    expect(retry.status).toBe(201)
  })
})

describe('when something unexpected fails', () => {
  it('then a bare 500 reaches the client and the error with its stack reaches the log', async () => {
    const heal = injectFault(t.db, ['GetItemCommand'], () => new TypeError('secret internal detail'))
    const logged = t.logs.length
    try {
      const res = await request(t.app).get('/api/notes/01ARZ3NDEKTSV4RRFFQ69G5FAV').set(auth)

      expect(res.status).toBe(500)
      expect(res.headers['content-type']).toContain('application/problem+json')
      expect(res.body).toEqual({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: expect.any(String),
        requestId: res.headers['x-request-id'],
      })
      expect(JSON.stringify(res.body)).not.toMatch(/secret internal detail|TypeError|\.ts:/)
      const line = t.logs.slice(logged).find((entry) => entry.msg === 'unhandled error')
      expect(line).toEqual(expect.objectContaining({ level: 'error', requestId: res.headers['x-request-id'] }))
      expect(line!.error).toEqual(
        expect.objectContaining({ name: 'TypeError', message: 'secret internal detail', stack: expect.any(String) }),
      )
    } finally {
      heal()
    }
  })
})
