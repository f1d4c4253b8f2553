/**
 * The API's shapes as the SPA reads them, taken from the types generated from the OpenAPI document
 * (`npm run openapi:types` writes schema.d.ts), so they cannot drift from what the API answers.
 */
import type { components } from './schema'

type Schemas = components['schemas']

export type Note = Schemas['Note']

/** What the editor saves: every field of a note that a client may write. */
export type NoteInput = Required<Schemas['NoteCreate']>

export type Page<T> = { items: T[]; nextCursor: string | null }

/** What register, login and refresh answer; the refresh cookie comes beside it. */
export type SignedIn = Schemas['AuthResult']

/** One live sign-in of the user, as `GET /auth/sessions` lists it. */
export type SignIn = Schemas['SignInList']['items'][number]
