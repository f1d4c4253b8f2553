import { call } from './client'
import type { components } from './schema'

type Schemas = components['schemas']

export { ApiError, asApiError, errorsByField, type FieldError } from './problem'
export { whenUnauthorized } from './client'

export type Note = Schemas['Note']

/** What the editor saves: every field of a note that a client may write. */
export type NoteInput = Required<Schemas['NoteCreate']>

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export type SignedIn = Schemas['AuthResult']

/** A note with the `ETag` it came with, the version a save must match. */
export interface Versioned<T> {
  note: T
  etag: string
}

const enc = encodeURIComponent

export async function register(email: string, password: string): Promise<SignedIn> {
  return (await call<SignedIn>('POST', '/auth/register', { body: { email, password }, auth: false })).data
}

export async function signIn(email: string, password: string): Promise<SignedIn> {
  return (await call<SignedIn>('POST', '/auth/login', { body: { email, password }, auth: false })).data
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

export async function restoreNote(id: string): Promise<Note> {
  return (await call<Note>('POST', `/api/notes/${enc(id)}/restore`)).data
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
