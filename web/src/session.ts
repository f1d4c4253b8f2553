import { computed, ref } from 'vue'

/** Who is signed in. The token lives in sessionStorage: it survives a reload of the tab, not the tab itself. */
export interface Session {
  token: string
  email: string
}

const storageKey = 'notes.session'

const current = ref<Session | null>(read())

/** A message for the sign-in screen, such as why the person was sent there. Read once, then cleared. */
const notice = ref<string | null>(null)

export const signedInEmail = computed(() => current.value?.email ?? null)
export const isSignedIn = computed(() => current.value !== null)

export function token(): string | null {
  return current.value?.token ?? null
}

export function startSession(session: Session): void {
  current.value = session
  notice.value = null
  try {
    sessionStorage.setItem(storageKey, JSON.stringify(session))
  } catch {
    // Storage can be full or disabled (private modes); the session then lasts until a reload.
  }
}

/** Forgets the token. `message` is shown on the sign-in screen. */
export function endSession(message: string | null = null): void {
  current.value = null
  notice.value = message
  try {
    sessionStorage.removeItem(storageKey)
  } catch {
    // Nothing stored, nothing to remove.
  }
}

export function takeNotice(): string | null {
  const message = notice.value
  notice.value = null
  return message
}

function read(): Session | null {
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(storageKey) ?? 'null')
    if (value && typeof value === 'object' && 'token' in value && 'email' in value) {
      const { token, email } = value as Record<string, unknown>
      if (typeof token === 'string' && typeof email === 'string') return { token, email }
    }
  } catch {
    // A damaged entry is no session.
  }
  return null
}
