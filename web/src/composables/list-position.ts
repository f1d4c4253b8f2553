/**
 * Where the person was in a list when they opened a note: the list's address, how many notes
 * were loaded (pages over the cursor) and the scroll offset. Coming back from that note (Back,
 * Cancel or Save) shows the list as it was; any other way in starts at the top.
 */
export interface ListPosition {
  path: string
  count: number
  scrollY: number
}

let saved: ListPosition | null = null
let returning = false
let returningFrom: string | undefined

export function rememberListPosition(position: ListPosition): void {
  saved = position
  returning = false
}

/** The editor of `noteId`, leaving for the list: the next list shown is the one it came from, focus back on that note. */
export function returnToList(noteId: string | undefined): void {
  returning = true
  returningFrom = noteId
}

/** The list to go back to from the editor. */
export function listPath(): string {
  return saved?.path ?? '/'
}

/** The position to restore, once, if the list at `path` is being returned to, with the note to focus. */
export function takeListPosition(path: string): (ListPosition & { noteId?: string }) | null {
  const position = returning && saved?.path === path ? { ...saved, noteId: returningFrom } : null
  returning = false
  return position
}
