import type { Request, Response, Router } from 'express'
import { verifiedIdentity } from '../auth/identity'
import { HttpError } from '../errors'
import { buildRouter, routeTable } from '../http/routes'
import { sendParts } from '../http/send-parts'
import { noteIdPattern } from './ids'
import type { ExportPages, Expected, NotesRepository } from './repository'
import { exportQuery, listQuery, note, noteCreate, noteExport, notePage, notePatch, type Note } from './schema'

const read = { scope: 'notes:read' }
const write = { scope: 'notes:write' }
const id = { id: 'The note’s id' }
const ifMatch = { 'If-Match': { description: '`"<version>"` (or a list, or `*`): answer 412 unless the note is still at that version' } }
const etag = { ETag: { description: '`"<version>"` of the note' } }
const noteResponse = (description: string) => ({ description, body: note, headers: etag })

/** `/api/notes`. Another user's note is a 404, like one that never existed. */
export const notesApi = routeTable('/api/notes', {
  listNotes: {
    method: 'get',
    path: '/',
    summary: 'List notes, newest first',
    auth: read,
    query: listQuery,
    responses: { 200: { description: 'A page of notes', body: notePage } },
  },
  createNote: {
    method: 'post',
    path: '/',
    summary: 'Create a note',
    auth: write,
    body: noteCreate,
    responses: { 201: { ...noteResponse('Created'), headers: { ...etag, Location: { description: 'The new note’s URL' } } } },
  },
  getNote: { method: 'get', path: '/:id', summary: 'Read a note', auth: read, params: id, responses: { 200: noteResponse('The note') } },
  updateNote: {
    method: 'patch',
    path: '/:id',
    summary: 'Change a note',
    auth: write,
    params: id,
    headers: ifMatch,
    body: notePatch,
    responses: { 200: noteResponse('Changed') },
    errors: [412],
  },
  trashNote: {
    method: 'delete',
    path: '/:id',
    summary: 'Move a note to the trash',
    auth: write,
    params: id,
    headers: ifMatch,
    responses: { 204: { description: 'Trashed' } },
    errors: [412],
  },
  restoreNote: {
    method: 'post',
    path: '/:id/restore',
    summary: 'Restore a note from the trash',
    auth: write,
    params: id,
    responses: { 200: noteResponse('Restored') },
  },
})

/** `/api/notes/export`: also served on its own by the `exportNotes` function (functions/export-notes.ts). */
export const exportApi = routeTable('/api/notes/export', {
  exportNotes: {
    method: 'get',
    path: '/',
    summary: 'Export every note, newest first, in one response',
    description:
      'The JSON is written as the notes are read, a page at a time, so its first bytes leave before the last note is read, ' +
      'whatever the number of notes. Through a streaming origin (the site’s own URL, see docs/DEPLOY.md) any size arrives; ' +
      'where the function’s answer is buffered (the HTTP API, an ALB), an export over Lambda’s 6 MB is a 502 problem that says so. ' +
      'A failure after the first bytes ends the response early: a body that is not whole JSON was cut short.',
    auth: read,
    query: exportQuery,
    responses: { 200: { description: 'All the caller’s notes', body: noteExport } },
    errors: [502],
  },
})

/** `/api/trash`: trashed notes, most recently trashed first, until DynamoDB's TTL removes them after 30 days. */
export const trashApi = routeTable('/api/trash', {
  listTrash: {
    method: 'get',
    path: '/',
    summary: 'List trashed notes, most recently trashed first',
    auth: read,
    query: listQuery,
    responses: { 200: { description: 'A page of trashed notes', body: notePage } },
  },
})

export function notesRoutes(notes: NotesRepository): Router {
  return buildRouter(notesApi, {
    listNotes: async (req, res, { query }) => void res.json(await notes.list(userId(req), 'live', query)),
    createNote: async (req, res, { body }) => {
      const note = await notes.create(userId(req), body)
      sendNote(res.status(201).location(`${req.baseUrl}/${note.id}`), note)
    },
    getNote: async (req, res) => sendNote(res, await notes.get(userId(req), noteId(req))),
    updateNote: async (req, res, { body }) => sendNote(res, await notes.update(userId(req), noteId(req), body, ifMatchOf(req))),
    trashNote: async (req, res) => {
      await notes.trash(userId(req), noteId(req), ifMatchOf(req))
      res.status(204).end()
    },
    restoreNote: async (req, res) => sendNote(res, await notes.restore(userId(req), noteId(req))),
  })
}

export function exportRoutes(notes: NotesRepository): Router {
  return buildRouter(exportApi, {
    exportNotes: async (req, res) => sendParts(req, res.type('json'), exportJson(notes.exportPages(userId(req)))),
  })
}

export function trashRoutes(notes: NotesRepository): Router {
  return buildRouter(trashApi, {
    listTrash: async (req, res, { query }) => void res.json(await notes.list(userId(req), 'trash', query)),
  })
}

/**
 * The export's JSON, byte for byte what `res.json({ exportedAt, items })` writes, one part per page of
 * notes: the first part once the first page is read, so an error there is still a problem answer.
 */
async function* exportJson({ exportedAt, pages }: ExportPages): AsyncGenerator<string, void, undefined> {
  let before = `{"exportedAt":${JSON.stringify(exportedAt)},"items":[`
  for await (const page of pages) {
    if (page.length === 0) continue
    yield before + page.map((note) => JSON.stringify(note)).join(',')
    before = ','
  }
  yield before === ',' ? ']}' : `${before}]}`
}

function sendNote(res: Response, note: Note): void {
  res.set('ETag', `"${note.version}"`).json(note)
}

function userId(req: Request): string {
  return verifiedIdentity(req).id
}

/** An id that cannot be one of ours is a 404 straight away, without asking the database. */
function noteId(req: Request): string {
  const id = req.params.id
  if (typeof id !== 'string' || !noteIdPattern.test(id)) throw new HttpError(404, 'Not Found', { detail: 'No note with this id' })
  return id
}

/** Reads `If-Match` (RFC 9110): `*`, or a list of strong entity tags `"<version>"`; weak or foreign tags never match. */
function ifMatchOf(req: Request): Expected | undefined {
  const header = req.get('if-match')
  if (header === undefined) return undefined
  if (header.trim() === '*') return { any: true }
  const versions = header
    .split(',')
    .map((tag) => /^\s*"(\d{1,15})"\s*$/.exec(tag)?.[1])
    .filter((version): version is string => version !== undefined)
    .map(Number)
  return { versions }
}
