import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Express } from 'express'
import request from 'supertest'
import { loadConfig, type Config } from '../../app/config'
import { createDocumentClient } from '../../app/db/client'
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../app/db/embedded'
import { ensureTable } from '../../app/db/table'
import { createApp, type Deps } from '../../app/index'
import { createLogger } from '../../app/logger'
import { createOutboxMailer, parseOutboxFile, type MailMessage } from '../../app/mail/mailer'

export const testSecret = 'test-secret-that-is-at-least-32-bytes-long!'

export interface TestApp {
  app: Express
  config: Config
  db: DynamoDBDocumentClient
  /** Every JSON log line the app wrote, parsed. */
  logs: LogLine[]
  /** The app's clock; move it with `clock.advance(ms)`. */
  clock: TestClock
  /** Every email the app sent, oldest first, as its local outbox holds them (files in a folder of its own). */
  outbox(): MailMessage[]
  close(): Promise<void>
}

/** One line of app/logger.ts, parsed: its fixed fields, an `error` as the logger writes errors, and any other field. */
export interface LogLine {
  level: 'info' | 'warn' | 'error'
  time: string
  msg: string
  error?: { name: string; message: string; stack?: string }
  [field: string]: unknown
}

export interface TestClock {
  (): Date
  advance(ms: number): void
  set(date: Date): void
}

/** A clock that ticks 1 ms each read, so ids and times are distinct and ordered. */
export function createTestClock(start = new Date()): TestClock {
  let now = start.getTime()
  const clock = (() => new Date(now++)) as TestClock
  clock.advance = (ms) => void (now += ms)
  clock.set = (date) => void (now = date.getTime())
  return clock
}

/**
 * A real app on a real (embedded, in-memory) DynamoDB with a table of its own. Its emails go to a
 * local outbox of its own (`outbox()` reads them), and password-reset requests answer without their
 * usual wait (`deps.passwordResetAnswerMs` sets one).
 * @example const t = await createTestApp(); afterAll(() => t.close())
 */
export async function createTestApp(
  options: { env?: Record<string, string>; deps?: Partial<Deps>; dynamo?: EmbeddedDynamo } = {},
): Promise<TestApp> {
  const dynamo = options.dynamo ?? (await startEmbeddedDynamo())
  const config = loadConfig({
    JWT_SECRET: testSecret,
    TABLE_NAME: `notes-${randomUUID()}`,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    // Every suite registers its users from one address, 127.0.0.1; the limit itself has tests of its own.
    REGISTER_LIMIT_PER_ADDRESS: '100000',
    APP_URL: 'http://127.0.0.1:3000',
    ...options.env,
  })
  const db = createDocumentClient(config)
  await ensureTable(db, config.tableName)
  const logs: LogLine[] = []
  const logger = createLogger({ write: (line) => logs.push(JSON.parse(line) as LogLine) })
  const clock = createTestClock()
  const outboxDir = mkdtempSync(path.join(tmpdir(), 'notes-outbox-'))
  const mailer = createOutboxMailer({ dir: outboxDir, logger })
  const app = createApp({ config, db, clock, logger, mailer, passwordResetAnswerMs: 0, ...options.deps })
  return {
    app,
    config,
    db,
    logs,
    clock,
    outbox: () =>
      readdirSync(outboxDir)
        .sort()
        .map((file) => parseOutboxFile(readFileSync(path.join(outboxDir, file), 'utf8'))),
    close: async () => {
      db.destroy()
      rmSync(outboxDir, { recursive: true, force: true })
      if (!options.dynamo) await dynamo.close()
    },
  }
}

let userCount = 0

/** Registers a fresh user through the API and returns its token and identity. */
export async function registerUser(app: Express, email = `user${++userCount}-${randomUUID().slice(0, 8)}@example.com`) {
  const res = await request(app).post('/auth/register').send({ email, password: 'correct horse battery' })
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`)
  return { token: res.body.token as string, id: res.body.user.id as string, email, auth: { Authorization: `Bearer ${res.body.token}` } }
}

/** Creates a note through the API and returns it. */
export async function createNote(app: Express, auth: Record<string, string>, note: Record<string, unknown> = { title: 'A note' }) {
  const res = await request(app).post('/api/notes').set(auth).send(note)
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body as { id: string; title: string; body: string; tags: string[]; version: number; createdAt: string; updatedAt: string }
}
