import request from 'supertest'
import { createTestApp, type TestApp } from './helpers/app'

let t: TestApp
beforeAll(async () => void (t = await createTestApp()))
afterAll(() => t.close())

describe('GET /health', () => {
  it('answers ok with security headers and a request id', async () => {
    const res = await request(t.app).get('/health')

    expect(res.status).toBe(200)
    expect(res.body).toEqual({ status: 'ok' })
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['content-security-policy']).toContain("default-src 'self'")
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })
})
