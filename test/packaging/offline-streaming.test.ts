import { loadConfig } from '../../app/config'
import { startOffline, type OfflineStack } from '../../scripts/offline/run'
import { seedNotes } from '../../scripts/seed-notes'
import { testSecret } from '../helpers/app'
import { signToken } from '../helpers/tokens'

/**
 * `npm run offline` sends the paths CloudFront streams to an emulated function URL that runs the
 * packaged `stream` function on the streaming runtime's stand-in (scripts/offline/function-url.cjs):
 * serverless-offline has no function URLs and calls every handler buffered. An export over 6 MB then
 * arrives through the site's origin, as on AWS, and through the HTTP API is the 502 problem.
 */
jest.setTimeout(300_000)

const userId = 'user-offline-export'
let stack: OfflineStack
let auth: Record<string, string>
const savedSecret = process.env.JWT_SECRET

beforeAll(async () => {
  process.env.JWT_SECRET = testSecret
  stack = await startOffline({
    log: () => undefined,
    prepare: async (db, tableName) => void (await seedNotes(db, tableName, userId, 150, 49_000)),
  })
  auth = { Authorization: `Bearer ${signToken(loadConfig({ JWT_SECRET: testSecret }), { sub: userId })}` }
})

afterAll(async () => {
  await stack?.stop()
  if (savedSecret === undefined) delete process.env.JWT_SECRET
  else process.env.JWT_SECRET = savedSecret
})

describe('npm run offline, the streamed routes', () => {
  it('streams a 7 MB export through the site’s origin, from the packaged stream function', async () => {
    const res = await fetch(`${stack.url}/api/notes/export`, { headers: auth })
    const text = await res.text()

    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBeNull()
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/)
    expect(text.length).toBeGreaterThan(7 * 1000 * 1000)
    expect((JSON.parse(text) as { items: unknown[] }).items).toHaveLength(150)
  })

  it('answers the same export through the buffered HTTP API with the 502 problem that says so', async () => {
    const res = await fetch(`${stack.apiUrl}/api/notes/export`, { headers: auth })
    const problem = (await res.json()) as { status: number; detail: string }

    expect(res.status).toBe(502)
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8')
    expect(problem.detail).toMatch(/more than this endpoint can return/)
  })

  it('sends every other route to the emulated HTTP API, as CloudFront does', async () => {
    const res = await fetch(`${stack.url}/api/notes?limit=1`, { headers: auth })

    expect(res.status).toBe(200)
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1)
  })
})
