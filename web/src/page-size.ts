/** Notes per page: the API's default, or `?limit=` on the page's address (1..100), handy for long lists and for tests. */
export function pageSize(query: unknown): number {
  const value = Number(Array.isArray(query) ? query[0] : query)
  return Number.isInteger(value) && value >= 1 && value <= 100 ? value : 20
}
