/**
 * Unsaved editor text, kept in localStorage per user and per note (`new` for a note not yet
 * created) until a save succeeds, so a sign-in that ends, a closed tab or a crash never costs what
 * was typed. Only the person's own text is kept here, never a token.
 */
export interface Draft {
  title: string
  body: string
  /** The tags field as typed. */
  tags: string
  /** The version the edit started from, so restoring it cannot overwrite a newer one unseen. */
  etag: string | null
  savedAt: string
}

const prefix = 'notes.draft.'
const keyOf = (userId: string, noteId: string | undefined) => `${prefix}${userId}.${noteId ?? 'new'}`

export function readDraft(userId: string, noteId: string | undefined): Draft | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(keyOf(userId, noteId)) ?? 'null')
    return isDraft(value) ? value : null
  } catch {
    return null
  }
}

/** False when the browser would not store it (storage full or disabled), so the editor can say so. */
export function writeDraft(userId: string, noteId: string | undefined, draft: Omit<Draft, 'savedAt'>): boolean {
  try {
    localStorage.setItem(keyOf(userId, noteId), JSON.stringify({ ...draft, savedAt: new Date().toISOString() }))
    return true
  } catch {
    return false
  }
}

export function removeDraft(userId: string, noteId: string | undefined): void {
  try {
    localStorage.removeItem(keyOf(userId, noteId))
  } catch {
    // Storage disabled: nothing was kept.
  }
}

/** Every draft the user has, newest first; `noteId` undefined for a new note. */
export function listDrafts(userId: string): { noteId: string | undefined; draft: Draft }[] {
  const found: { noteId: string | undefined; draft: Draft }[] = []
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)
      if (!key?.startsWith(`${prefix}${userId}.`)) continue
      const id = key.slice(prefix.length + userId.length + 1)
      const draft = readDraft(userId, id === 'new' ? undefined : id)
      if (draft) found.push({ noteId: id === 'new' ? undefined : id, draft })
    }
  } catch {
    // Storage disabled: no drafts.
  }
  return found.sort((a, b) => b.draft.savedAt.localeCompare(a.draft.savedAt))
}

function isDraft(value: unknown): value is Draft {
  if (!value || typeof value !== 'object') return false
  const { title, body, tags, savedAt } = value as Record<string, unknown>
  return typeof title === 'string' && typeof body === 'string' && typeof tags === 'string' && typeof savedAt === 'string'
}
