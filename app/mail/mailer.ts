import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '../logger'

/** One plain-text email. */
export interface MailMessage {
  to: string
  subject: string
  text: string
}

/** Sends email: Amazon SES on AWS (./ses.ts), files in a local outbox in dev and tests (below). */
export interface Mailer {
  send(message: MailMessage): Promise<void>
}

/**
 * A mailer for `npm run dev` and the tests: each message becomes a file in `dir` (an `.eml` a mail
 * client opens, or any editor), and a log line names the file and the links the message holds, so a
 * developer can follow a password-reset link without any mail server. Never a network call.
 * Not for production: the log line carries the links, which there would be secrets in the log.
 * @example createOutboxMailer({ dir: path.join(dataDir, 'outbox'), logger })
 */
export function createOutboxMailer(options: { dir: string; logger: Logger; clock?: () => Date }): Mailer {
  const { dir, logger } = options
  const clock = options.clock ?? (() => new Date())
  let sent = 0
  return {
    async send(message) {
      const date = clock()
      // Sorted by name is the order sent, also within one millisecond; the random part keeps two dev servers apart.
      const name = `${date.toISOString().replace(/[:.]/g, '-')}-${String(++sent).padStart(6, '0')}-${randomBytes(4).toString('hex')}`
      const file = path.join(dir, `${name}.eml`)
      await mkdir(dir, { recursive: true })
      await writeFile(file, emlOf(message, date), { mode: 0o600 })
      logger.info('email written to the local outbox', { to: message.to, subject: message.subject, file, links: linksIn(message.text) })
    },
  }
}

/** A message as RFC 5322 text: headers, a blank line, the body, in UTF-8. */
function emlOf(message: MailMessage, date: Date): string {
  const headers = [
    `Date: ${date.toUTCString()}`,
    `To: ${message.to}`,
    `Subject: ${message.subject}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ]
  return `${headers.join('\r\n')}\r\n\r\n${message.text.replace(/\r?\n/g, '\r\n')}`
}

/** Parses a file the outbox wrote back into its message (tests read the outbox with it). */
export function parseOutboxFile(eml: string): MailMessage {
  const split = eml.indexOf('\r\n\r\n')
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(eml.slice(0, split))?.[1]?.trim() ?? ''
  return { to: header('To'), subject: header('Subject'), text: eml.slice(split + 4).replace(/\r\n/g, '\n') }
}

function linksIn(text: string): string[] {
  return text.match(/https?:\/\/\S+/g) ?? []
}
