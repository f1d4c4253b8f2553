import type { Express } from 'express'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import request from 'supertest'
import type { Config } from '../../app/config'
import { createDocumentClient } from '../../app/db/client'
import { ensureTable } from '../../app/db/table'
import { createApp } from '../../app/index'
import { createLogger } from '../../app/logger'
import { createOutboxMailer } from '../../app/mail/mailer'

/** Drives every route once through the app on the bench's dynalite, counting the SDK's commands; returns a seeded user's token too. */
export async function countDatabaseCalls(config: Config) {
  const db = createDocumentClient(config)
  await ensureTable(db, config.tableName)
  const seen: string[] = []
  db.middlewareStack.add(
    (next, context) => async (args) => {
      seen.push(String(context.commandName).replace(/Command$/, ''))
      return next(args)
    },
    { step: 'initialize', name: 'bench-count-calls' },
  )
  const logger = createLogger({ write: () => undefined })
  const outbox = mkdtempSync(path.join(tmpdir(), 'notes-bench-outbox-'))
  const app: Express = createApp({ config, db, clock: () => new Date(), logger, mailer: createOutboxMailer({ dir: outbox, logger }) })
  const calls: Record<string, string> = {}
  async function call<T extends { status: number }>(label: string, send: () => Promise<T>, status: number): Promise<T> {
    seen.length = 0
    const res = await send()
    if (res.status !== status) throw new Error(`${label} answered ${res.status}`)
    const counts = new Map<string, number>()
    for (const name of seen) counts.set(name, (counts.get(name) ?? 0) + 1)
    calls[label] = counts.size === 0 ? 'none' : [...counts].map(([name, n]) => `${name} x${n}`).join(', ')
    return res
  }
  const account = { email: 'calls@example.com', password: 'correct horse battery' }
  await call('POST /auth/register', () => request(app).post('/auth/register').send(account), 201)
  const login = await call('POST /auth/login', () => request(app).post('/auth/login').send(account), 200)
  const auth = { authorization: `Bearer ${login.body.token}` }
  await call('GET /health', () => request(app).get('/health'), 200)
  await call('GET /api/me', () => request(app).get('/api/me').set(auth), 200)
  const created = await call('POST /api/notes', () => request(app).post('/api/notes').set(auth).send({ title: 'Counted' }), 201)
  for (let i = 2; i <= 5; i++)
    await request(app)
      .post('/api/notes')
      .set(auth)
      .send({ title: `Note ${i}` })
  const id = created.body.id as string
  await call('GET /api/notes (one page of 20)', () => request(app).get('/api/notes').set(auth), 200)
  let cursor: string | null = null
  await call(
    'GET /api/notes?limit=2, walking all 3 pages',
    async () => {
      let res
      do {
        res = await request(app)
          .get(`/api/notes?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
          .set(auth)
        cursor = res.body.nextCursor
      } while (cursor)
      return res
    },
    200,
  )
  await call('GET /api/notes/:id', () => request(app).get(`/api/notes/${id}`).set(auth), 200)
  await call(
    'PATCH /api/notes/:id',
    () => request(app).patch(`/api/notes/${id}`).set(auth).set('if-match', '"1"').send({ title: 'Changed' }),
    200,
  )
  await call(
    'PATCH /api/notes/:id, stale If-Match (412)',
    () => request(app).patch(`/api/notes/${id}`).set(auth).set('if-match', '"1"').send({ title: 'Again' }),
    412,
  )
  await call('DELETE /api/notes/:id', () => request(app).delete(`/api/notes/${id}`).set(auth), 204)
  await call('GET /api/trash', () => request(app).get('/api/trash').set(auth), 200)
  await call('POST /api/notes/:id/restore', () => request(app).post(`/api/notes/${id}/restore`).set(auth), 200)
  db.destroy()
  rmSync(outbox, { recursive: true, force: true })
  return { token: login.body.token as string, calls }
}
