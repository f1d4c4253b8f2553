import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { ConfigError } from '../config'
import { HttpError } from '../errors'
import type { Logger } from '../logger'
import type { Mailer, MailMessage } from '../mail/mailer'
import type { AccountsRepository } from './accounts'
import { hashPassword } from './passwords'
import { createPasswordResetTokens, resetTokenTtlSeconds } from './password-reset-tokens'
import type { SignInsRepository } from './sign-ins'
import type { Throttle } from './throttle'

export interface PasswordReset {
  /**
   * Emails a reset link when an account has this email; answers alike, and no sooner than
   * `answerAfterMs`, when none has. 429 when the email or the address asked too often.
   */
  request(email: string, address: string | undefined, requestId: string | undefined): Promise<void>
  /** Sets the password the token was sent for, ends every sign-in of the account and clears its failed logins; 400 for any token that cannot. */
  confirm(token: string, newPassword: string): Promise<void>
}

export interface PasswordResetDeps {
  db: DynamoDBDocumentClient
  tableName: string
  clock: () => Date
  logger: Logger
  accounts: AccountsRepository
  signIns: SignInsRepository
  throttle: Throttle
  mailer: Mailer
  /** The SPA's public URL (`APP_URL`): links are built from it, never from the request's Host. */
  appUrl: string | undefined
  /**
   * The least time a request takes to answer. Looking up the account and sending the email happen
   * before the answer (Lambda freezes whatever runs after it), and sending takes time only when an
   * account exists: answering at a fixed time hides which. Longer than SES usually takes.
   */
  answerAfterMs: number
}

/** The one answer for a link that cannot reset anything: unknown, used, expired, or the password changed since. */
function linkNotValid(): HttpError {
  return new HttpError(400, 'Bad Request', {
    detail: 'This reset link has expired or was already used; ask for a new one',
    errors: [{ path: 'body.token', message: 'This reset link has expired or was already used; ask for a new one' }],
  })
}

/**
 * Password reset by email, as OWASP's Forgot Password cheat sheet describes it: the same answer, in
 * the same time, whether or not the email has an account; a random single-use token, valid 30 minutes,
 * of which only the hash is stored; the link in the URL's fragment (never sent to a server, so never
 * in a Referer or an access log); and a new password that ends every sign-in. The SPA's pages are
 * `/forgot-password` and `/reset-password` (docs/AUTH.md, "Forgotten passwords").
 */
export function createPasswordReset(deps: PasswordResetDeps): PasswordReset {
  const { accounts, signIns, throttle, mailer, logger, appUrl, answerAfterMs } = deps
  if (appUrl === undefined) {
    throw new ConfigError("APP_URL must be set in production: password-reset links open the SPA's page at this address")
  }
  const tokens = createPasswordResetTokens(deps)

  async function sendLink(email: string, requestId: string | undefined): Promise<void> {
    const account = await accounts.find(email)
    // An account that signs in with a username has no email to send to.
    if (!account?.email) return
    const token = await tokens.issue({ userId: account.id, email: account.email, passwordHash: account.passwordHash })
    const link = `${appUrl}/reset-password#${new URLSearchParams({ token, email: account.email }).toString()}`
    // A failed send must not answer differently (that would tell the account exists): it is logged, never the link.
    await mailer
      .send(resetEmail(account.email, link))
      .catch((error: unknown) => logger.error('password-reset email not sent', { requestId, error }))
  }

  return {
    async request(email, address, requestId) {
      await throttle.passwordResetRequest(email, address)
      await Promise.all([sendLink(email, requestId), new Promise((resolve) => setTimeout(resolve, answerAfterMs))])
    },

    async confirm(token, newPassword) {
      const newHash = await hashPassword(newPassword)
      const grant = await tokens.spend(token)
      if (!grant) throw linkNotValid()
      // Only over the hash the link was sent for: a password changed since (or an account replaced) wins.
      if (!(await accounts.replaceHash(grant.email, grant.passwordHash, newHash))) throw linkNotValid()
      await signIns.revokeAllExcept(grant.userId, undefined)
      await throttle.clearSignIns(grant.email)
    },
  }
}

function resetEmail(to: string, link: string): MailMessage {
  return {
    to,
    subject: 'Reset your Notes password',
    text: [
      'Someone, probably you, asked to reset the password of your Notes account.',
      '',
      'To choose a new password, open this link:',
      link,
      '',
      `The link works once, for ${resetTokenTtlSeconds / 60} minutes. Setting a new password signs out every device signed in to your account.`,
      '',
      'If you did not ask, ignore this email: your password stays as it is.',
    ].join('\n'),
  }
}
