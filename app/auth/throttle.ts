import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { documentCommands } from '../db/client'
import { rethrowUnavailable } from '../db/errors'
import { HttpError } from '../errors'

/**
 * What is counted, and for whom: failed sign-ins per login and per client address, registrations per
 * address, password-reset requests per email and per address.
 */
type Counter = 'SIGN_IN#LOGIN' | 'SIGN_IN#ADDRESS' | 'REGISTER#ADDRESS' | 'PASSWORD_RESET#EMAIL' | 'PASSWORD_RESET#ADDRESS'

export interface Throttle {
  /**
   * Counts a sign-in attempt for the login (an email or username, normalised) and the client address,
   * before the password is checked, at every door. Throws 429 with Retry-After when either is over its
   * limit in the current window.
   */
  signInAttempt(login: string, address: string | undefined): Promise<void>
  /** The attempt signed in: the login's count starts again, and the address's stops counting it. */
  signInSucceeded(login: string, address: string | undefined): Promise<void>
  /** Forgets the failed sign-ins of a login in the current window (a password reset proved the person). */
  clearSignIns(login: string): Promise<void>
  /** Counts a registration from the client address; 429 past the limit. */
  registration(address: string | undefined): Promise<void>
  /**
   * Counts a password-reset request for the email and the client address, before anything is looked
   * up, registered email or not, so a 429 says nothing about which emails have accounts.
   */
  passwordResetRequest(email: string, address: string | undefined): Promise<void>
}

/** Reset requests allowed per window: a few for one email (a mailbox is not to be flooded), more for one client address. */
export const passwordResetLimits = { perEmail: 3, perAddress: 20 }

export interface ThrottleLimits {
  /** Failed sign-ins allowed for one login per window. */
  signInPerLogin: number
  /** Failed sign-ins allowed from one client address per window. */
  signInPerAddress: number
  /** Registrations allowed from one client address per window. */
  registrationsPerAddress: number
}

export interface ThrottleDeps extends ThrottleLimits {
  db: DynamoDBDocumentClient
  tableName: string
  clock: () => Date
}

/** Limits count per fixed 15-minute window; a window's counter is deleted by TTL a minute after it ends. */
export const windowMs = 15 * 60 * 1000

export const throttlePrefix = 'THROTTLE#'

/**
 * Throttling on counters in the table: `pk` `THROTTLE#<counter>#<subject>` (`THROTTLE#SIGN_IN#LOGIN#ada@example.com`),
 * `sk` `WINDOW#<window start, ISO-8601>`, a number `attempts` raised by an atomic `ADD`, and
 * `expiresAt` for TTL. Every attempt is counted before the password is checked, so concurrent
 * guesses cannot slip past the limit, and the count never depends on whether the account exists.
 * A window that is over its limit answers 429 until it ends, never longer: nothing accumulates
 * across windows, so nobody can lock an account for good (see docs/AUTH.md).
 */
export function createThrottle(deps: ThrottleDeps): Throttle {
  const { db, tableName, clock } = deps

  const windowOf = (now: Date) => {
    const start = Math.floor(now.getTime() / windowMs) * windowMs
    return { start, end: start + windowMs }
  }
  const key = (counter: Counter, subject: string, start: number) => ({
    pk: `${throttlePrefix}${counter}#${subject}`,
    sk: `WINDOW#${new Date(start).toISOString()}`,
  })

  async function update(counter: Counter, subject: string, now: Date, expression: string, values: Record<string, number>) {
    const { start, end } = windowOf(now)
    const { UpdateCommand } = documentCommands()
    const { Attributes } = await db
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(counter, subject, start),
          UpdateExpression: expression,
          ExpressionAttributeValues: { ...values, ':expiresAt': Math.floor(end / 1000) + 60 },
          ReturnValues: 'UPDATED_NEW',
        }),
      )
      .catch(rethrowUnavailable)
    return Number(Attributes?.attempts ?? 0)
  }
  const add = (counter: Counter, subject: string, by: number, now: Date) =>
    update(counter, subject, now, 'ADD attempts :by SET expiresAt = :expiresAt', { ':by': by })
  const reset = (counter: Counter, subject: string, now: Date) =>
    update(counter, subject, now, 'SET attempts = :zero, expiresAt = :expiresAt', { ':zero': 0 })

  function tooMany(now: Date, what: string): HttpError {
    const retryAfter = Math.max(1, Math.ceil((windowOf(now).end - now.getTime()) / 1000))
    const minutes = Math.ceil(retryAfter / 60)
    return new HttpError(429, 'Too Many Requests', {
      detail: `Too many ${what}; try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`,
      headers: { 'Retry-After': String(retryAfter) },
    })
  }

  return {
    async signInAttempt(login, address) {
      const now = clock()
      const [byLogin, byAddress] = await Promise.all([
        add('SIGN_IN#LOGIN', login, 1, now),
        address === undefined ? Promise.resolve(0) : add('SIGN_IN#ADDRESS', address, 1, now),
      ])
      if (byLogin > deps.signInPerLogin || byAddress > deps.signInPerAddress) throw tooMany(now, 'failed sign-ins')
    },

    async signInSucceeded(login, address) {
      const now = clock()
      await Promise.all([reset('SIGN_IN#LOGIN', login, now), address === undefined ? undefined : add('SIGN_IN#ADDRESS', address, -1, now)])
    },

    async clearSignIns(login) {
      await reset('SIGN_IN#LOGIN', login, clock())
    },

    async registration(address) {
      if (address === undefined) return
      const now = clock()
      if ((await add('REGISTER#ADDRESS', address, 1, now)) > deps.registrationsPerAddress)
        throw tooMany(now, 'registrations from this network')
    },

    async passwordResetRequest(email, address) {
      const now = clock()
      const [byEmail, byAddress] = await Promise.all([
        add('PASSWORD_RESET#EMAIL', email, 1, now),
        address === undefined ? Promise.resolve(0) : add('PASSWORD_RESET#ADDRESS', address, 1, now),
      ])
      if (byEmail > passwordResetLimits.perEmail || byAddress > passwordResetLimits.perAddress)
        throw tooMany(now, 'password-reset requests')
    },
  }
}
