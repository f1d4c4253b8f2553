import * as z from 'zod'
import { refreshCookieName } from './auth/refresh-cookie'
import { authResult, loginBody, passwordChangeBody, registerBody, sessionList, user } from './auth/schema'
import { note, noteCreate, noteExport, notePage, notePatch } from './notes/schema'

const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' })

const health = z.object({ status: z.literal('ok') }).meta({ id: 'Health' })

const schemas = [
  health,
  problem,
  registerBody,
  loginBody,
  authResult,
  user,
  passwordChangeBody,
  sessionList,
  note,
  noteCreate,
  notePatch,
  notePage,
  noteExport,
]

const ref = (schema: z.ZodType) => ({ $ref: `#/components/schemas/${(schema.meta() as { id: string }).id}` })
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema: ref(schema) } } })
const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [status, { description: 'Problem', content: { 'application/problem+json': { schema: ref(problem) } } }]),
  )

const secured = { security: [{ bearer: [] }] }
const withRefreshCookie = { security: [{ refreshCookie: [] }] }
const setsRefreshCookie = {
  'Set-Cookie': { description: `${refreshCookieName}: the refresh cookie (HttpOnly, Path=/auth)`, schema: { type: 'string' } },
}
const sessionId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } }
const noteId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } }
const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: false,
  schema: { type: 'string' },
  description: '"<version>": fail with 412 if the note has changed',
}
const listParams = [
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
  { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'nextCursor of the previous page' },
]
const noteResponse = (description: string) => ({ description, headers: { ETag: { schema: { type: 'string' } } }, ...json(note) })

/**
 * The OpenAPI 3.1 document of the API. Its schemas are the zod schemas that validate requests,
 * so the document cannot drift from what the server accepts. Built on first use, not at start.
 */
export function openApiDocument(options: { ownAuth: boolean }): object {
  const { schemas: components } = z.toJSONSchema(z.globalRegistry, { io: 'input', uri: (id) => `#/components/schemas/${id}` })
  const wanted = new Set(schemas.map((schema) => (schema.meta() as { id: string }).id))
  const componentSchemas = Object.fromEntries(
    Object.entries(components)
      .filter(([id]) => wanted.has(id))
      .map(([id, { $schema, $id, ...schema }]) => [id, schema]),
  )

  const paths: Record<string, object> = {
    '/health': { get: { summary: 'Liveness', responses: { 200: { description: 'Up', ...json(health) } } } },
    '/api/me': {
      get: {
        summary: 'Who the token names',
        ...secured,
        responses: { 200: { description: 'The caller', ...json(user) }, ...problems(401) },
      },
    },
    '/api/notes': {
      get: {
        summary: 'List notes, newest first',
        ...secured,
        parameters: listParams,
        responses: { 200: { description: 'A page', ...json(notePage) }, ...problems(400, 401, 403) },
      },
      post: {
        summary: 'Create a note',
        ...secured,
        requestBody: { required: true, ...json(noteCreate) },
        responses: { 201: noteResponse('Created'), ...problems(400, 401, 403, 413, 415) },
      },
    },
    '/api/notes/export': {
      get: {
        summary: 'Export every note, newest first, in one response',
        ...secured,
        responses: { 200: { description: 'All the caller’s notes', ...json(noteExport) }, ...problems(400, 401, 403) },
      },
    },
    '/api/notes/{id}': {
      get: {
        summary: 'Read a note',
        ...secured,
        parameters: [noteId],
        responses: { 200: noteResponse('The note'), ...problems(401, 403, 404) },
      },
      patch: {
        summary: 'Change a note',
        ...secured,
        parameters: [noteId, ifMatch],
        requestBody: { required: true, ...json(notePatch) },
        responses: { 200: noteResponse('Changed'), ...problems(400, 401, 403, 404, 412, 413, 415) },
      },
      delete: {
        summary: 'Move a note to the trash',
        ...secured,
        parameters: [noteId, ifMatch],
        responses: { 204: { description: 'Trashed' }, ...problems(401, 403, 404, 412) },
      },
    },
    '/api/notes/{id}/restore': {
      post: {
        summary: 'Restore a note from the trash',
        ...secured,
        parameters: [noteId],
        responses: { 200: noteResponse('Restored'), ...problems(401, 403, 404) },
      },
    },
    '/api/trash': {
      get: {
        summary: 'List trashed notes, most recently trashed first',
        ...secured,
        parameters: listParams,
        responses: { 200: { description: 'A page', ...json(notePage) }, ...problems(400, 401, 403) },
      },
    },
  }
  if (options.ownAuth) {
    paths['/auth/register'] = {
      post: {
        summary: 'Register',
        requestBody: { required: true, ...json(registerBody) },
        responses: { 201: { description: 'Registered', headers: setsRefreshCookie, ...json(authResult) }, ...problems(400, 409, 413, 415) },
      },
    }
    paths['/auth/login'] = {
      post: {
        summary: 'Sign in',
        requestBody: { required: true, ...json(loginBody) },
        responses: {
          200: { description: 'Signed in', headers: setsRefreshCookie, ...json(authResult) },
          ...problems(400, 401, 413, 415, 429),
        },
      },
    }
    paths['/auth/refresh'] = {
      post: {
        summary: 'Renew the access token with the refresh cookie (which is spent and replaced)',
        ...withRefreshCookie,
        responses: { 200: { description: 'Renewed', headers: setsRefreshCookie, ...json(authResult) }, ...problems(401, 403) },
      },
    }
    paths['/auth/logout'] = {
      post: {
        summary: 'End the sign-in of the refresh cookie and clear it',
        ...withRefreshCookie,
        responses: { 204: { description: 'Signed out', headers: setsRefreshCookie }, ...problems(403) },
      },
    }
    paths['/auth/sessions'] = {
      get: {
        summary: 'List the caller’s live sign-ins',
        ...secured,
        responses: { 200: { description: 'Sign-ins', ...json(sessionList) }, ...problems(401) },
      },
      delete: {
        summary: 'Sign out every other sign-in',
        ...secured,
        responses: { 204: { description: 'Revoked' }, ...problems(401) },
      },
    }
    paths['/auth/sessions/{id}'] = {
      delete: {
        summary: 'Sign out one sign-in',
        ...secured,
        parameters: [sessionId],
        responses: { 204: { description: 'Revoked' }, ...problems(401, 404) },
      },
    }
    paths['/auth/password'] = {
      post: {
        summary: 'Change the password; signs out every other sign-in',
        ...secured,
        requestBody: { required: true, ...json(passwordChangeBody) },
        responses: { 204: { description: 'Changed' }, ...problems(400, 401, 409, 413, 415) },
      },
    }
  }

  return {
    openapi: '3.1.0',
    info: { title: 'Notes API', version: '1.0.0' },
    paths,
    components: {
      schemas: componentSchemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        refreshCookie: { type: 'apiKey', in: 'cookie', name: refreshCookieName },
      },
    },
  }
}
