import { ref, shallowRef, type Ref } from 'vue'
import { asApiError, type ApiError, type Page } from '../api'

/**
 * State of a list read page by page over the API's cursor: the first page on `load()`, the next
 * one on `loadMore()`. Each component that lists gets its own.
 */
export function usePagedList<T extends { id: string }>(fetchPage: (cursor: string | null) => Promise<Page<T>>) {
  const items = ref([]) as Ref<T[]>
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const loadingMore = ref(false)
  const error = shallowRef<ApiError | null>(null)

  /** The first page, then more until at least `atLeast` items show (as many as before leaving the list). */
  async function load(atLeast = 0): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const page = await fetchPage(null)
      items.value = page.items
      nextCursor.value = page.nextCursor
      while (items.value.length < atLeast && nextCursor.value) append(await fetchPage(nextCursor.value))
    } catch (err) {
      error.value = asApiError(err)
    } finally {
      loading.value = false
    }
  }

  async function loadMore(): Promise<void> {
    if (!nextCursor.value || loadingMore.value) return
    loadingMore.value = true
    error.value = null
    try {
      append(await fetchPage(nextCursor.value))
    } catch (err) {
      error.value = asApiError(err)
    } finally {
      loadingMore.value = false
    }
  }

  function append(page: Page<T>): void {
    // A note can move between pages while reading (it was edited or restored); show it once.
    const seen = new Set(items.value.map((item) => item.id))
    items.value = [...items.value, ...page.items.filter((item) => !seen.has(item.id))]
    nextCursor.value = page.nextCursor
  }

  function remove(id: string): void {
    items.value = items.value.filter((item) => item.id !== id)
  }

  return { items, nextCursor, loading, loadingMore, error, load, loadMore, remove }
}
