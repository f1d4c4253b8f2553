const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** An ISO time as the reader's locale writes it. */
export function formatTime(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date)
}

/** The API's limits on a note: a title of 1..200 characters, up to 20 tags of 1..50. */
export const titleMaxLength = 200
const maxTags = 20
const tagMaxLength = 50
/** Room for every tag at its longest with ", " between them. */
export const maxTagsLength = maxTags * (tagMaxLength + 2)

/**
 * "work, ideas ,, Home, home" as ["work", "ideas", "Home"]: commas separate tags, blanks are
 * dropped, and a tag that differs from an earlier one only in case is the same tag (the first
 * spelling stays).
 */
export function parseTags(text: string): string[] {
  const seen = new Set<string>()
  const tags: string[] = []
  for (const tag of text.split(',').map((part) => part.trim())) {
    const key = tag.toLocaleLowerCase()
    if (!tag || seen.has(key)) continue
    seen.add(key)
    tags.push(tag)
  }
  return tags
}
