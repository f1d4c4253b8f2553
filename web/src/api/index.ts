import { call } from './client'
import { cookieCredentials, request } from './http'
import type { Note, NoteInput, Page, SignedIn, SignIn } from './types'

export { ApiError, asApiError, errorsByField, type FieldError } from './problem'
export type { Note, NoteInput, Page, SignedIn, SignIn } from './types'

/** A note with the `ETag` it came with, the version a save must match. */
export interface Versioned<T> {
  note: T
  etag: string
}

const enc = encodeURIComponent

/** Creates the account and signs in: the answer holds the access token, the refresh cookie comes beside it. */
export async function register(email: string, password: string): Promise<SignedIn> {
  return (await request<SignedIn>('POST', '/auth/register', { body: { email, password }, credentials: cookieCredentials })).data
}

export async function signIn(email: string, password: string): Promise<SignedIn> {
  return (await request<SignedIn>('POST', '/auth/login', { body: { email, password }, credentials: cookieCredentials })).data
}

/** Asks for a password-reset email; the answer is the same whether or not an account has this email. */
export async function requestPasswordReset(email: string): Promise<void> {
  await request<void>('POST', '/auth/password-reset', { body: { email } })
}

/** Sets a new password with the token of an emailed link; a link that cannot is a 400 on `body.token`. */
export async function confirmPasswordReset(token: string, newPassword: string): Promise<void> {
  await request<void>('POST', '/auth/password-reset/confirm', { body: { token, newPassword } })
}

/** The user's live sign-ins, this browser's marked `current`. */
export async function listSignIns(): Promise<SignIn[]> {
  return (await call<{ items: SignIn[] }>('GET', '/auth/sessions')).data.items
}

/** Signs one device out: it cannot renew, and its last token lapses within its lifetime. */
export async function revokeSignIn(id: string): Promise<void> {
  await call<void>('DELETE', `/auth/sessions/${enc(id)}`)
}

/** Signs out every device but this one. */
export async function revokeOtherSignIns(): Promise<void> {
  await call<void>('DELETE', '/auth/sessions')
}

/** Changes the password and signs out every other device; a wrong current password is a 400 on `body.currentPassword`. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  await call<void>('POST', '/auth/password', { body: { currentPassword, newPassword } })
}

export async function listNotes(options: { limit?: number; cursor?: string | null } = {}): Promise<Page<Note>> {
  return (await call<Page<Note>>('GET', `/api/notes${pageQuery(options)}`)).data
}

export async function listTrash(options: { limit?: number; cursor?: string | null } = {}): Promise<Page<Note>> {
  return (await call<Page<Note>>('GET', `/api/trash${pageQuery(options)}`)).data
}

export async function getNote(id: string): Promise<Versioned<Note>> {
  return versioned(await call<Note>('GET', `/api/notes/${enc(id)}`))
}

export async function createNote(input: NoteInput): Promise<Versioned<Note>> {
  return versioned(await call<Note>('POST', '/api/notes', { body: input }))
}

/** Saves only if the note is still at `etag`; a 412 ApiError says someone else saved first. */
export async function updateNote(id: string, input: NoteInput, etag: string): Promise<Versioned<Note>> {
  return versioned(await call<Note>('PATCH', `/api/notes/${enc(id)}`, { body: input, ifMatch: etag }))
}

export async function trashNote(id: string): Promise<void> {
  await call<void>('DELETE', `/api/notes/${enc(id)}`)
}

export async function restoreNote(id: string): Promise<Versioned<Note>> {
  return versioned(await call<Note>('POST', `/api/notes/${enc(id)}/restore`))
}

function pageQuery({ limit, cursor }: { limit?: number; cursor?: string | null }): string {
  const query = new URLSearchParams()
  if (limit !== undefined) query.set('limit', String(limit))
  if (cursor) query.set('cursor', cursor)
  const text = query.toString()
  return text ? `?${text}` : ''
}

function versioned({ data, etag }: { data: Note; etag: string | null }): Versioned<Note> {
  return { note: data, etag: etag ?? `"${data.version}"` }
}
