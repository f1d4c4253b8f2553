import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import jwt from 'jsonwebtoken'
import { isDeepStrictEqual } from 'node:util'
import type { Config } from '../../app/config'
import { sealedCookies, sessionKey, type Sealed } from '../../app/existing/session-stores'
import type { LogLine } from '../helpers/app'
import { testSecret } from '../helpers/app'
import type { Run } from './harness'
import { dropMarker, nameOf, spoofedAddress, type DeskPerson, type Invocation, type Person } from './plan'

/**
 * What the concurrency harness checks once a run is over: each invocation's answer, cookies and log
 * lines, then what the run left in the table (login counters per address, created notes). Every
 * finding names the invocation it concerns and, when something of another invocation turned up, that one too.
 */
export interface Findings {
  /** Per invocation id, what is wrong with it. */
  byInvocation: Map<string, string[]>
  /** What belongs to no single invocation (a stray log line, the run itself). */
  run: string[]
}

/** A parsed JSON body or table item, reached into by the fields the routes document. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>

interface Cookie {
  name: string
  value: string
}

/** Log lines that belong to no request. */
const withoutRequest = new Set(['cold start'])

export async function checkRun(plan: Invocation[], run: Run, deps: { db: DynamoDBDocumentClient; config: Config }): Promise<Findings> {
  const findings: Findings = { byInvocation: new Map(), run: [] }
  const byRequestId = new Map(plan.map((invocation) => [invocation.requestId, invocation]))
  const byMark = new Map(plan.map((invocation) => [invocation.mark, invocation]))
  const whose = (requestId: unknown) => {
    const owner = byRequestId.get(String(requestId))
    return owner ? `the request id of ${nameOf(owner)}` : 'no invocation’s request id'
  }
  const results = new Map(run.batches.flatMap((batch) => batch.results).map((answer) => [answer.id, answer]))
  const sessions = sealedCookies(sessionKey(deps.config.jwt.secret!))

  for (const batch of run.batches) {
    if (batch.peak !== batch.results.length)
      findings.run.push(`${batch.thread}: only ${batch.peak} of ${batch.results.length} in flight at once`)
  }
  for (const line of run.log) {
    if (line.requestId === undefined) {
      if (!withoutRequest.has(line.msg)) findings.run.push(`a log line names no request: ${JSON.stringify(line)}`)
    } else if (typeof line.requestId !== 'string' || !byRequestId.has(line.requestId)) {
      findings.run.push(`a log line names a request id no invocation had: ${JSON.stringify(line)}`)
    }
  }

  for (const invocation of plan) {
    const problems: string[] = []
    const answer = results.get(invocation.id)
    if (!answer?.result) {
      problems.push(answer?.error ? `the handler threw: ${answer.error}` : 'no answer')
      findings.byInvocation.set(invocation.id, problems)
      continue
    }
    const response = invocation.source.fromResult(answer.result)
    const header = (name: string) => [response.headers[name]].flat()[0]
    const body = parseJson(response.body)
    if (response.status !== invocation.status) {
      problems.push(`status ${response.status}, expected ${invocation.status}: ${response.body.slice(0, 300)}`)
    }
    if (header('x-request-id') !== invocation.requestId)
      problems.push(`X-Request-Id was ${header('x-request-id')} (${whose(header('x-request-id'))})`)
    if (/^application\/problem\+json/.test(header('content-type') ?? '')) {
      if (body?.requestId !== invocation.requestId)
        problems.push(`the problem's requestId was ${body?.requestId} (${whose(body?.requestId)})`)
    } else if (invocation.status >= 400) problems.push(`a ${invocation.status} that is not application/problem+json`)

    const cookies = setCookies(response.headers['set-cookie'])
    problems.push(...(await cookiesOf(invocation, cookies, sessions)))
    problems.push(...answerOf(invocation, response.status, body, header))
    problems.push(...logOf(invocation, run.log, response.status))
    if (problems.length > 0) findings.byInvocation.set(invocation.id, problems)
  }

  // Whatever a log line mentions of an invocation (its mark in an error, a path) is under that invocation's request id.
  for (const line of run.log) {
    for (const mark of new Set([...JSON.stringify(line).matchAll(/mark-[\w-]+?-[0-9a-f]{8}/g)].map(([found]) => found))) {
      const owner = byMark.get(mark)
      if (owner && owner.requestId !== line.requestId) {
        add(findings, owner.id, `its mark is in a log line of ${whose(line.requestId)}: ${JSON.stringify(line).slice(0, 300)}`)
      }
    }
  }

  await checkTable(plan, deps, findings)
  return findings
}

function add(findings: Findings, id: string, problem: string) {
  findings.byInvocation.set(id, [...(findings.byInvocation.get(id) ?? []), problem])
}

function parseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function setCookies(header: string | string[] | undefined): Cookie[] {
  return [header ?? []].flat().map((line) => {
    const pair = line.split(';', 1)[0]
    const at = pair.indexOf('=')
    return { name: pair.slice(0, at), value: decodeURIComponent(pair.slice(at + 1)) }
  })
}

/** Each cookie set belongs to the invocation's own person, and is one the route sets. */
async function cookiesOf(invocation: Invocation, cookies: Cookie[], sessions: ReturnType<typeof sealedCookies>): Promise<string[]> {
  const problems: string[] = []
  const actor = invocation.actor
  const named = (suffix: string) => cookies.filter((c) => c.name.endsWith(suffix))
  const expected: Record<string, string[]> = {
    login: ['notes_refresh', 'notes_signed_in'],
    'desk-login': ['notes_refresh', 'notes_signed_in', 'page-token', 'session'],
    'desk-login-wrong': ['session'],
    'desk-notebook': ['session'],
  }
  const allowed = expected[invocation.kind] ?? []
  for (const cookie of cookies) {
    if (!allowed.some((suffix) => cookie.name.endsWith(suffix))) problems.push(`an unexpected cookie ${cookie.name}`)
  }
  for (const suffix of allowed) {
    if (named(suffix).length !== 1) problems.push(`${named(suffix).length} cookies named …${suffix}, expected one`)
  }
  for (const { name, value } of named('notes_refresh')) {
    // A refresh token is <user id, base64url>.<sign-in id>.<secret> (app/auth/sign-ins.ts).
    const userId = Buffer.from(value.split('.')[0], 'base64url').toString('utf8')
    if (userId !== actor?.id) problems.push(`${name} is a sign-in of user ${userId}, not of ${actor?.label}`)
  }
  for (const { name, value } of named('page-token').filter((c) => c.value)) {
    const sub = (jwt.verify(value, testSecret) as { sub?: string }).sub
    if (sub !== actor?.id) problems.push(`${name} signs in user ${sub}, not ${actor?.label}`)
  }
  for (const { name, value } of named('session')) {
    const session = await sessions.open(value)
    if (!session) {
      problems.push(`${name} does not open`)
      continue
    }
    const expectedSession = sessionFor(invocation)
    if (!isDeepStrictEqual({ uid: session.uid, data: session.data }, expectedSession)) {
      problems.push(
        `${name} holds ${JSON.stringify({ uid: session.uid, data: session.data })}, expected ${JSON.stringify(expectedSession)}`,
      )
    }
  }
  return problems
}

function sessionFor(invocation: Invocation): Pick<Sealed, 'uid' | 'data'> {
  const desk = invocation.actor as DeskPerson
  if (invocation.kind === 'desk-login') return { uid: desk.id, data: { flash: { info: [`Welcome back, ${desk.username}`] } } }
  if (invocation.kind === 'desk-notebook') return { uid: desk.id, data: { visits: [`seed-${desk.username}`, invocation.mark] } }
  return { uid: null, data: { flash: { error: ['Wrong username or password'] } } }
}

/** The body names the invocation's own person and data, nobody else's. */
function answerOf(invocation: Invocation, status: number, body: Json | undefined, header: (name: string) => string | undefined): string[] {
  if (status !== invocation.status) return []
  const person = invocation.actor as Person
  const desk = invocation.actor as DeskPerson
  const problems: string[] = []
  const expect = (ok: boolean, what: string) => void (ok || problems.push(what))
  switch (invocation.kind) {
    case 'notes-list': {
      const foreign = (body?.items as { title: string }[]).map((n) => n.title).filter((title) => !title.startsWith(`${person.label} `))
      expect(foreign.length === 0, `its list holds notes of others: ${foreign.join(', ')}`)
      break
    }
    case 'notes-create':
      expect(body?.title === `${person.label} new ${invocation.mark}`, `created "${body?.title}"`)
      break
    case 'notes-get':
      expect(body?.id === invocation.note?.id && body?.title === invocation.note?.title, `got note ${body?.id} "${body?.title}"`)
      break
    case 'me':
      expect(body?.id === person.id && body?.email === person.email, `/api/me answered ${JSON.stringify(body)}`)
      break
    case 'login': {
      const sub = (jwt.verify(String(body?.token), testSecret) as { sub?: string }).sub
      expect(body?.user?.id === person.id && sub === person.id, `signed in ${body?.user?.email} (token for ${sub})`)
      break
    }
    case 'desk-login':
      expect(header('location')?.endsWith('/desk/notebook') === true, `went to ${header('location')}`)
      break
    case 'desk-login-wrong':
      expect(header('location')?.endsWith('/desk/login') === true, `went to ${header('location')}`)
      break
    case 'desk-notebook':
      expect(
        body?.user === desk.id && isDeepStrictEqual(body?.visits, [`seed-${desk.username}`, invocation.mark]),
        `the notebook answered ${JSON.stringify(body)}`,
      )
      break
    case 'db-dropped':
      expect(header('retry-after') !== undefined, 'a 503 without Retry-After')
      break
  }
  return problems
}

/** One access log line, naming this request, its user, path, status and the caller's own id; a 5xx leaves its cause. */
function logOf(invocation: Invocation, log: LogLine[], status: number): string[] {
  const problems: string[] = []
  const mine = log.filter((line) => line.requestId === invocation.requestId)
  const access = mine.filter((line) => line.msg === 'request')
  if (access.length !== 1) problems.push(`${access.length} access log lines under its request id, expected one`)
  for (const line of access) {
    const seen = { userId: line.userId, path: line.path, status: line.status, method: line.method, clientRequestId: line.clientRequestId }
    const expected = {
      userId: invocation.userId,
      path: invocation.path,
      status,
      method: invocation.method,
      clientRequestId: invocation.callerId,
    }
    if (!isDeepStrictEqual(seen, expected))
      problems.push(`its access log line says ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}`)
  }
  if (status >= 500 && status !== invocation.status) {
    const causes = mine.filter((line) => line.error).map((line) => `${line.msg}: ${line.error?.name}: ${line.error?.message}`)
    problems.push(`its ${status} was logged as ${JSON.stringify(causes)}`)
  }
  if (invocation.status >= 500) {
    const causes = mine.filter((line) => line.level === 'error' || line.level === 'warn')
    if (causes.length === 0) problems.push('a 5xx with no cause in the log under its request id')
    if (invocation.kind === 'desk-boom' && !causes.some((line) => line.error?.message === `the desk failed for ${invocation.mark}`)) {
      problems.push(`the logged cause is not its own failure: ${JSON.stringify(causes.map((line) => line.error?.message))}`)
    }
  }
  return problems
}

/** The login counters per address, and the notes created: each where its own invocation put it. */
async function checkTable(plan: Invocation[], deps: { db: DynamoDBDocumentClient; config: Config }, findings: Findings) {
  const items: Json[] = []
  let start: Record<string, unknown> | undefined
  do {
    // A Scan, in a test only: every counter and note the run left, whatever its key.
    const page = await deps.db.send(new ScanCommand({ TableName: deps.config.tableName, ExclusiveStartKey: start }))
    items.push(...(page.Items ?? []))
    start = page.LastEvaluatedKey
  } while (start)

  const counted = new Map<string, number>()
  const addressCounter = 'THROTTLE#SIGN_IN#ADDRESS#'
  for (const item of items.filter((i) => String(i.pk).startsWith(addressCounter))) {
    const address = String(item.pk).slice(addressCounter.length)
    counted.set(address, (counted.get(address) ?? 0) + Number(item.attempts))
  }
  // Every door counts: /auth/login and the desk's own form alike (app/auth/sign-in-door.ts).
  const logins = plan.filter((i) => ['login', 'login-wrong', 'desk-login', 'desk-login-wrong'].includes(i.kind))
  for (const invocation of logins) {
    // Every attempt counts until it succeeds: a failure leaves 1 against its address, a success 0.
    const expected = invocation.kind.endsWith('-wrong') ? 1 : 0
    const seen = counted.get(invocation.address)
    if (seen !== expected)
      add(findings, invocation.id, `its address ${invocation.address} has ${seen ?? 'no'} failed logins counted, expected ${expected}`)
  }
  const addresses = new Set(logins.map((i) => i.address))
  for (const [address, attempts] of counted) {
    if (!addresses.has(address) && attempts !== 0) {
      const owner = plan.find((i) => i.address === address)
      const by =
        address === spoofedAddress ? 'the X-Forwarded-For a client sent' : owner ? `${nameOf(owner)}, which sent no login` : 'no invocation'
      findings.run.push(`${attempts} failed logins counted against ${address}: ${by}`)
    }
  }

  const notes = items.filter((i) => String(i.sk).startsWith('NOTE#'))
  for (const invocation of plan.filter((i) => i.kind === 'notes-create')) {
    const stored = notes.filter((n) => String(n.title).includes(invocation.mark))
    const owner = `USER#${invocation.actor?.id}`
    if (stored.length !== 1 || stored[0].pk !== owner) {
      add(findings, invocation.id, `its note is stored ${stored.length} times, under ${stored.map((n) => n.pk).join(', ') || 'nobody'}`)
    }
  }
  for (const note of notes.filter((n) => String(n.title).includes(dropMarker))) {
    findings.run.push(`a note whose connection was dropped was stored: ${note.title}`)
  }
}

/** The findings as a report a person can act on: each invocation with what went wrong, then the run's own. */
export function report(plan: Invocation[], findings: Findings): string {
  const lines: string[] = []
  for (const invocation of plan) {
    const problems = findings.byInvocation.get(invocation.id)
    if (!problems) continue
    lines.push(nameOf(invocation), ...problems.map((p) => `    - ${p}`))
  }
  if (findings.run.length > 0) lines.push('the run:', ...findings.run.map((p) => `    - ${p}`))
  if (lines.length === 0) return ''
  return `${findings.byInvocation.size} of ${plan.length} invocations got something wrong\n${lines.join('\n')}`
}
