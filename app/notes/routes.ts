import express, { type Request, type Response, type Router } from 'express'
import { requireScope } from '../auth/require-auth'
import { HttpError } from '../errors'
import { resource } from '../http/routes'
import { parse } from '../http/validate'
import { noteIdPattern } from './ids'
import type { Expected, NotesRepository } from './repository'
import { exportQuery, listQuery, noteCreate, notePatch, type Note } from './schema'

const canRead = requireScope('notes:read')
const canWrite = requireScope('notes:write')

/** `/api/notes`: the signed-in user's notes. Another user's note is a 404, like one that never existed. */
export function notesRoutes(notes: NotesRepository): Router {
  const router = express.Router()
  router.use('/export', exportRoutes(notes)) // before '/:id', which would take "export" for an id

  resource(router, '/', {
    get: [
      canRead,
      async (req, res) => {
        const { limit, cursor } = parse(listQuery, req.query, 'query')
        res.json(await notes.list(userId(req), 'live', { limit, cursor }))
      },
    ],
    post: [
      canWrite,
      async (req, res) => {
        const note = await notes.create(userId(req), parse(noteCreate, req.body, 'body'))
        sendNote(res.status(201).location(`${req.baseUrl}/${note.id}`), note)
      },
    ],
  })

  resource(router, '/:id', {
    get: [
      canRead,
      async (req, res) => {
        sendNote(res, await notes.get(userId(req), noteId(req)))
      },
    ],
    patch: [
      canWrite,
      async (req, res) => {
        const patch = parse(notePatch, req.body, 'body')
        sendNote(res, await notes.update(userId(req), noteId(req), patch, ifMatch(req)))
      },
    ],
    delete: [
      canWrite,
      async (req, res) => {
        await notes.trash(userId(req), noteId(req), ifMatch(req))
        res.status(204).end()
      },
    ],
  })

  resource(router, '/:id/restore', {
    post: [
      canWrite,
      async (req, res) => {
        sendNote(res, await notes.restore(userId(req), noteId(req)))
      },
    ],
  })

  return router
}

/**
 * `/api/notes/export`: every live note of the user as one JSON document. Also served on its own by the
 * `exportNotes` function (functions/export-notes.ts), which mounts just this router.
 */
export function exportRoutes(notes: NotesRepository): Router {
  const router = express.Router()
  resource(router, '/', {
    get: [
      canRead,
      async (req, res) => {
        parse(exportQuery, req.query, 'query')
        res.json(await notes.exportAll(userId(req)))
      },
    ],
  })
  return router
}

/** `/api/trash`: trashed notes, most recently trashed first, until DynamoDB's TTL removes them after 30 days. */
export function trashRoutes(notes: NotesRepository): Router {
  const router = express.Router()
  resource(router, '/', {
    get: [
      canRead,
      async (req, res) => {
        const { limit, cursor } = parse(listQuery, req.query, 'query')
        res.json(await notes.list(userId(req), 'trash', { limit, cursor }))
      },
    ],
  })
  return router
}

function sendNote(res: Response, note: Note): void {
  res.set('ETag', `"${note.version}"`).json(note)
}

function userId(req: Request): string {
  return req.user!.id
}

/** An id that cannot be one of ours is a 404 straight away, without asking the database. */
function noteId(req: Request): string {
  const id = req.params.id
  if (typeof id !== 'string' || !noteIdPattern.test(id)) throw new HttpError(404, 'Not Found', { detail: 'No note with this id' })
  return id
}

/** Reads `If-Match` (RFC 9110): `*`, or a list of strong entity tags `"<version>"`; weak or foreign tags never match. */
function ifMatch(req: Request): Expected | undefined {
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
