import { randomUUID } from 'node:crypto'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { hashPassword } from '../../app/auth/passwords'
import { createAccountsRepository } from '../../app/auth/accounts'
import type { Config } from '../../app/config'
import { sealedCookies, sessionKey } from '../../app/existing/session-stores'
import type { LambdaContext } from '../../app/lambda/events'
import { createNotesRepository } from '../../app/notes/repository'
import { createTestClock } from '../helpers/app'
import { eventSources, lambdaContext, type EventSource, type HttpRequest } from '../helpers/events'
import { signToken } from '../helpers/tokens'

/**
 * Who the concurrency harness's invocations act as, what each asks, and what each must get back.
 * Every invocation has its own request id, client address, caller's `X-Request-Id` and mark (a
 * string that only it sends), so whatever comes back, or lands in the log or the table, can be
 * traced to the invocation it belongs to.
 */

/** The function runs in production (AWS_LAMBDA_FUNCTION_NAME is set): its cookies carry their prefixes. */
/** Behind a stage or base path the page cookie's path is not `/`, which `__Host-` requires: it is `__Secure-` there. */
export const cookieNames = {
  page: (prefix: string) => (prefix ? '__Secure-page-token' : '__Host-page-token'),
  deskSession: '__Secure-session',
}

/** A note title carrying this never reaches the table: the proxy drops the connection that carries it. */
export const dropMarker = 'DROP-THIS-CONNECTION'

/** A person with an account of this app (`/auth/login`, the notes API) and seeded notes. */
export interface Person {
  id: string
  label: string
  email: string
  password: string
  token: string
  notes: { id: string; title: string }[]
}

/** A person of the mounted desk app: an imported user with a username, signed in through the app's own form. */
export interface DeskPerson {
  id: string
  label: string
  username: string
  password: string
  /** Their page cookie (an access token) and a session sealed earlier, holding one visit. */
  pageToken: string
  session: string
}

export interface Cast {
  people: Person[]
  desk: DeskPerson[]
}

const labels = ['ada', 'bob', 'cyd', 'dee', 'eve', 'fay']

/** People, their accounts and notes, and the desk's users, in a table of their own (written directly, not through the proxy). */
export async function seedCast(deps: { db: DynamoDBDocumentClient; config: Config }): Promise<Cast> {
  const { db, config } = deps
  const { tableName } = config
  const accounts = createAccountsRepository({ db, tableName })
  const notes = createNotesRepository({ db, tableName, cursorKey: config.cursorKey, clock: createTestClock() })
  const sessions = sealedCookies(sessionKey(config.jwt.secret!))
  const createdAt = new Date().toISOString()

  const people = await Promise.all(
    labels.map(async (label) => {
      const person = { id: randomUUID(), label, email: `${label}@example.com`, password: `${label} correct horse battery` }
      await accounts.create({ ...person, login: person.email, passwordHash: await hashPassword(person.password), createdAt })
      const seeded = []
      for (const n of [1, 2, 3]) seeded.push(await notes.create(person.id, { title: `${label} seed ${n}`, body: '', tags: [] }))
      const token = signToken(config, { sub: person.id, email: person.email })
      return { ...person, token, notes: seeded.map(({ id, title }) => ({ id, title })) }
    }),
  )
  const desk = await Promise.all(
    labels.map(async (name) => {
      const person = { id: randomUUID(), label: `desk-${name}`, username: `desk-${name}`, password: `${name} staple battery horse` }
      await accounts.import({
        id: person.id,
        login: person.username,
        email: null,
        passwordHash: await hashPassword(person.password),
        createdAt,
      })
      const pageToken = signToken(config, { sub: person.id, email: undefined })
      const sealed = { id: randomUUID(), uid: person.id, sid: null, savedAt: 0, data: { visits: [`seed-${person.username}`] } }
      const session = await sessions.seal(sealed, 86_400)
      return { ...person, pageToken, session }
    }),
  )
  return { people, desk }
}

export type Kind =
  | 'notes-list'
  | 'notes-create'
  | 'notes-get'
  | 'notes-get-other'
  | 'me'
  | 'login'
  | 'login-wrong'
  | 'desk-login'
  | 'desk-login-wrong'
  | 'desk-notebook'
  | 'desk-boom'
  | 'db-dropped'

const kinds: Kind[] = [
  'notes-list',
  'notes-create',
  'notes-get',
  'notes-get-other',
  'me',
  'login',
  'login-wrong',
  'desk-login',
  'desk-login-wrong',
  'desk-notebook',
  'desk-boom',
  'db-dropped',
]

const expectedStatus: Record<Kind, number> = {
  'notes-list': 200,
  'notes-create': 201,
  'notes-get': 200,
  'notes-get-other': 404,
  me: 200,
  login: 200,
  'login-wrong': 401,
  'desk-login': 302,
  'desk-login-wrong': 302,
  'desk-notebook': 200,
  'desk-boom': 500,
  'db-dropped': 503,
}

/** The sources whose answers carry every Set-Cookie (ALB without multi-value headers keeps only the last). */
const sourceNames = [
  'API Gateway REST API (v1)',
  'HTTP API (v2), $default stage',
  'Lambda Function URL',
  'ALB with multi-value headers',
  'ALB',
]
const sources = sourceNames.map((name) => eventSources.find((source) => source.name === name)!)
const everyCookie = sources.filter((source) => source.name !== 'ALB')

/** What a client may put in X-Forwarded-For itself: never the address login throttling counts. */
export const spoofedAddress = '203.0.113.250'

export interface Invocation {
  id: string
  kind: Kind
  source: EventSource
  /** Who it acts as: a person, a desk person, or nobody (a failed login of an unknown email). */
  actor?: Person | DeskPerson
  /** The client address as the platform saw it. */
  address: string
  /** Sent by this invocation only: in its note title, query string, login attempt. */
  mark: string
  /** The caller's own X-Request-Id, which the access log keeps as `clientRequestId`. */
  callerId: string
  method: string
  /** The app's path, without a stage or query. */
  path: string
  status: number
  /** The user id its access log line must name (undefined: anonymous). */
  userId?: string
  /** For notes-get / notes-get-other: the note asked for. */
  note?: { id: string; title: string }
  event: object
  context: LambdaContext
  requestId: string
}

/** A small seeded generator, so a plan can be made again from its seed. */
function generator(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `count` invocations mixing every kind, person, and event source, shuffled; each from an address of its own (`addressOf(i)`). */
export function planInvocations(cast: Cast, options: { tag: string; count: number; seed: number; addressOf: (i: number) => string }) {
  const random = generator(options.seed)
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]
  const order = Array.from({ length: options.count }, (_, i) => kinds[i % kinds.length])
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  return order.map((kind, i): Invocation => {
    const id = `${options.tag}-${i}`
    const mark = `mark-${id}-${randomUUID().slice(0, 8)}`
    const person = pick(cast.people)
    const deskPerson = pick(cast.desk)
    const other = pick(cast.people.filter((p) => p !== person))
    const address = options.addressOf(i)
    const bearer = { Authorization: `Bearer ${person.token}` }
    const json = { 'Content-Type': 'application/json' }
    const form = { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' }
    // Answers that set more than one cookie (a sign-in) come through the sources that carry every Set-Cookie.
    const source = kind === 'desk-login' || kind === 'login' ? pick(everyCookie) : pick(sources)
    const deskCookies = (d: DeskPerson, withSession: boolean) => ({
      Cookie: [
        `${cookieNames.page(source.prefix)}=${d.pageToken}`,
        ...(withSession ? [`${cookieNames.deskSession}=${d.session}`] : []),
      ].join('; '),
      Accept: 'application/json',
    })
    let request: HttpRequest
    let actor: Invocation['actor'] = person
    let note: Invocation['note']
    switch (kind) {
      case 'notes-list':
        request = { method: 'GET', path: '/api/notes?limit=100', headers: bearer }
        break
      case 'notes-create':
        request = {
          method: 'POST',
          path: '/api/notes',
          headers: { ...bearer, ...json },
          body: JSON.stringify({ title: `${person.label} new ${mark}` }),
        }
        break
      case 'db-dropped':
        request = {
          method: 'POST',
          path: '/api/notes',
          headers: { ...bearer, ...json },
          body: JSON.stringify({ title: `${dropMarker} ${mark}` }),
        }
        break
      case 'notes-get':
        note = pick(person.notes)
        request = { method: 'GET', path: `/api/notes/${note.id}`, headers: bearer }
        break
      case 'notes-get-other':
        note = pick(other.notes)
        request = { method: 'GET', path: `/api/notes/${note.id}`, headers: bearer }
        break
      case 'me':
        request = { method: 'GET', path: '/api/me', headers: bearer }
        break
      case 'login':
        request = {
          method: 'POST',
          path: '/auth/login',
          headers: json,
          body: JSON.stringify({ email: person.email, password: person.password }),
        }
        break
      case 'login-wrong': {
        // A wrong password, or an email nobody has: both fail alike and count against the address.
        const email = random() < 0.5 ? person.email : `nobody-${mark}@example.com`
        actor = email === person.email ? person : undefined
        request = { method: 'POST', path: '/auth/login', headers: json, body: JSON.stringify({ email, password: `wrong ${mark}` }) }
        break
      }
      case 'desk-login':
      case 'desk-login-wrong': {
        actor = deskPerson
        const password = kind === 'desk-login' ? deskPerson.password : `wrong ${mark}`
        const body = new URLSearchParams({ username: deskPerson.username, password }).toString()
        request = { method: 'POST', path: '/desk/login', headers: form, body }
        break
      }
      case 'desk-notebook':
        actor = deskPerson
        request = { method: 'GET', path: `/desk/notebook?mark=${mark}`, headers: deskCookies(deskPerson, true) }
        break
      case 'desk-boom':
        actor = deskPerson
        request = { method: 'GET', path: `/desk/boom?mark=${mark}`, headers: deskCookies(deskPerson, false) }
        break
    }
    const callerId = `caller-${id}`
    const alb = source.name.startsWith('ALB')
    request.headers = {
      ...request.headers,
      'X-Request-Id': callerId,
      // A client may send any X-Forwarded-For; an ALB appends the address it saw, the one that counts.
      'X-Forwarded-For': alb ? `${spoofedAddress}, ${address}` : spoofedAddress,
    }
    const event = source.toEvent(request) as { requestContext: { identity?: { sourceIp: string }; http?: { sourceIp: string } } }
    if (event.requestContext.identity) event.requestContext.identity.sourceIp = address
    if (event.requestContext.http) event.requestContext.http.sourceIp = address
    const context = lambdaContext()
    const anonymous = kind === 'login' || kind === 'login-wrong' || kind === 'desk-login-wrong'
    return {
      id,
      kind,
      source,
      actor,
      address,
      mark,
      callerId,
      method: request.method,
      path: request.path.split('?')[0],
      status: expectedStatus[kind],
      userId: anonymous ? undefined : actor?.id,
      note,
      event,
      context,
      requestId: source.requestIdOf(event, context),
    }
  })
}

/** One line naming an invocation, for reports: which one, as whom, through what, from where. */
export function nameOf(invocation: Invocation): string {
  const who = invocation.actor ? invocation.actor.label : 'nobody'
  return `#${invocation.id} ${invocation.kind} as ${who} via ${invocation.source.name} from ${invocation.address} (request id ${invocation.requestId})`
}
