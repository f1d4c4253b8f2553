import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createLogger } from '../../app/logger'
import { createOutboxMailer, parseOutboxFile } from '../../app/mail/mailer'

/** The local outbox of `npm run dev` and the tests: files and a log line, never a network call. */
const message = {
  to: 'ada@example.com',
  subject: 'Reset your Notes password',
  text: 'Open this:\nhttp://127.0.0.1:3000/reset-password#token=abc\nThanks',
}

describe('the local outbox', () => {
  let dir: string
  beforeEach(() => void (dir = path.join(mkdtempSync(path.join(tmpdir(), 'notes-outbox-test-')), 'outbox')))
  afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }))

  it('when a message is sent, then it is an .eml file only its owner reads, and a log line names the file and its links', async () => {
    const lines: Record<string, unknown>[] = []
    const mailer = createOutboxMailer({ dir, logger: createLogger({ write: (line) => lines.push(JSON.parse(line)) }) })

    await mailer.send(message)

    const files = readdirSync(dir)
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(/\.eml$/)
    const file = path.join(dir, files[0])
    expect(statSync(file).mode & 0o077).toBe(0)
    const eml = readFileSync(file, 'utf8')
    expect(eml).toMatch(/^Date: .+\r\nTo: ada@example.com\r\nSubject: Reset your Notes password\r\n/)
    expect(eml).toContain('Content-Type: text/plain; charset=utf-8')
    expect(parseOutboxFile(eml)).toEqual(message)
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'email written to the local outbox',
        to: message.to,
        file,
        links: ['http://127.0.0.1:3000/reset-password#token=abc'],
      }),
    ])
  })

  it('when several messages are sent, then each has a file of its own, in the order sent', async () => {
    const mailer = createOutboxMailer({ dir, logger: createLogger({ write: () => undefined }) })

    for (const subject of ['one', 'two', 'three']) await mailer.send({ ...message, subject })

    const subjects = readdirSync(dir)
      .sort()
      .map((file) => parseOutboxFile(readFileSync(path.join(dir, file), 'utf8')).subject)
    expect(subjects).toEqual(['one', 'two', 'three'])
  })
})
