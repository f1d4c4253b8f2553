import { computed, ref } from 'vue'
import { ApiError } from './api/problem'
import { cookieCredentials, request } from './api/http'
import type { SignedIn } from './api/types'

/**
 * Who is signed in, and the access token that proves it. The token lives in this tab's memory
 * only (never in storage a script could read later); the HttpOnly refresh cookie that renews it is
 * the browser's, shared by every tab, and one-time use: the server rotates it on each
 * `POST /auth/refresh` and treats a spent one presented again as theft, revoking the whole
 * sign-in. So every tab renews under one Web Lock, and tabs pass each other fresh tokens.
 */
export interface CurrentSignIn {
  token: string
  userId: string
  /** Null for an account that signs in with a username (imported from an older app). */
  email: string | null
  /** `Date.now()` after which the token is no longer accepted. */
  expiresAt: number
  /** `Date.now()` at which to renew it, a little before `expiresAt`. */
  renewAt: number
}

const current = ref<CurrentSignIn | null>(null)

/** A message for the sign-in screen, such as why the person was sent there. */
const notice = ref<string | null>(null)

export const signedInEmail = computed(() => current.value?.email ?? null)
export const signedInUserId = computed(() => current.value?.userId ?? null)
export const isSignedIn = computed(() => current.value !== null)
export const signInNotice = computed(() => notice.value)

export const lostNotice =
  'You were signed out: this sign-in ended or was ended on another device. Sign in again; anything you were typing is kept.'
export const signedOutNotice = 'You are signed out.'

const refreshLock = 'notes.auth.refresh'
const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('notes.auth')

type Message = { type: 'signed-in'; signIn: CurrentSignIn } | { type: 'signed-out' }

let onSignedOut: (notice: string) => void = () => {}
let renewTimer: ReturnType<typeof setTimeout> | undefined
let renewing: Promise<string | null> | null = null

/** Where the page goes when the sign-in ends without the person asking (expired, revoked, signed out in another tab). */
export function whenSignedOut(handler: (notice: string) => void): void {
  onSignedOut = handler
}

/** After register or login: keeps the token, tells the other tabs, and schedules its renewal. */
export function startSignIn(result: SignedIn): void {
  notice.value = null
  const signIn = toSignIn(result)
  adopt(signIn)
  post({ type: 'signed-in', signIn })
}

/** Resolves once the sign-in of an earlier visit or another tab has been looked for (the router waits on it). */
export const signInReady: Promise<void> = restore()

async function restore(): Promise<void> {
  // Nobody signed in on this browser (or the sign-in ended): no request, and no failed one in the console.
  if (!mayBeSignedIn()) return
  try {
    await renew()
  } catch {
    // Server unreachable: the person is shown the sign-in screen, which says so when used.
  }
}

/** The token to send now: renewed first when it has lapsed (a laptop waking up, a throttled background tab). */
export async function freshToken(): Promise<string | null> {
  const signIn = current.value
  if (!signIn) return null
  if (Date.now() < signIn.expiresAt - 1000) return signIn.token
  try {
    return (await renew(signIn.token)) ?? null
  } catch {
    return signIn.token
  }
}

/**
 * Renews the access token over the refresh cookie and returns the new one, or null when the server
 * refused (the sign-in is over, and `whenSignedOut` has been told). Calls that overlap share one
 * request; `stale` is the token a caller saw refused, so a caller that arrives after someone else
 * renewed gets the new token without another request. Throws an ApiError when the server could not
 * be reached: nothing is known then, and the person stays signed in.
 */
export function renew(stale?: string): Promise<string | null> {
  const now = current.value
  if (now && stale && now.token !== stale) return Promise.resolve(now.token)
  renewing ??= withRefreshLock(async () => {
    // While this tab waited for the lock, another one may have renewed and passed the token on.
    const latest = current.value
    if (latest && latest.token !== stale && latest !== now && Date.now() < latest.renewAt) return latest.token
    try {
      const { data } = await refreshRaced()
      const signIn = toSignIn(data)
      adopt(signIn)
      post({ type: 'signed-in', signIn })
      return data.token
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
        // Nobody was signed in (a first visit), or this sign-in is over.
        if (current.value) signInLost()
        return null
      }
      throw err
    }
  }).finally(() => {
    renewing = null
  })
  return renewing
}

/**
 * `POST /auth/refresh`, asked again once when it lost a race: a page of a mounted app renewing through
 * `/auth/page` at the same moment spends the same one-time cookie. The server then answers 401 but
 * leaves the cookies alone, and the winner's new cookie is on its way; an ended sign-in's 401 clears them.
 */
async function refreshRaced() {
  try {
    return await request<SignedIn>('POST', '/auth/refresh', { credentials: cookieCredentials })
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401 || !mayBeSignedIn()) throw err
    await new Promise((resolve) => setTimeout(resolve, 1000))
    return request<SignedIn>('POST', '/auth/refresh', { credentials: cookieCredentials })
  }
}

/**
 * Whether this browser may hold a sign-in: the server sets `notes_signed_in=1` (readable, no secret)
 * beside the HttpOnly refresh cookie, with the same lifetime, and clears both when the sign-in ends.
 */
function mayBeSignedIn(): boolean {
  return /(?:^|;\s*)(?:__Secure-)?notes_signed_in=1(?:;|$)/.test(document.cookie)
}

/** The server refused this sign-in: forget it and send the person to sign in again. */
export function signInLost(): void {
  if (!current.value) return
  end(lostNotice)
  onSignedOut(lostNotice)
}

/** Signs out here and in every other tab: the server revokes the sign-in and clears the cookie. */
export async function signOut(): Promise<void> {
  try {
    await request<void>('POST', '/auth/logout', { credentials: cookieCredentials })
  } catch {
    // Unreachable: the cookie stays until it expires, but this browser forgets the token anyway.
  }
  end(signedOutNotice)
  post({ type: 'signed-out' })
}

/** The notice for the sign-in screen, read by it and replaced by whatever happens next there. */
export function clearNotice(): void {
  notice.value = null
}

function end(message: string): void {
  current.value = null
  notice.value = message
  clearTimeout(renewTimer)
}

function toSignIn(result: SignedIn): CurrentSignIn {
  const lifetime = result.expiresIn * 1000
  const now = Date.now()
  // A quarter of the lifetime early, at most a minute: 15 s into a 20 s token, 14 min into 15 min.
  const margin = Math.min(60_000, lifetime / 4)
  return {
    token: result.token,
    userId: result.user.id,
    email: result.user.email,
    expiresAt: now + lifetime,
    renewAt: now + lifetime - margin,
  }
}

function adopt(signIn: CurrentSignIn): void {
  current.value = signIn
  clearTimeout(renewTimer)
  renewTimer = setTimeout(renewSilently, Math.max(0, signIn.renewAt - Date.now()))
}

function renewSilently(): void {
  const token = current.value?.token
  // Unreachable now: try again in a little while; the token may still be good.
  renew(token).catch(() => {
    clearTimeout(renewTimer)
    renewTimer = setTimeout(renewSilently, 10_000)
  })
}

// Timers of a hidden tab are throttled to once a minute or less: catch up when it is seen again.
document.addEventListener('visibilitychange', () => {
  const signIn = current.value
  if (document.visibilityState === 'visible' && signIn && Date.now() >= signIn.renewAt) renewSilently()
})

function post(message: Message): void {
  channel?.postMessage(message)
}

channel?.addEventListener('message', (event: MessageEvent<Message>) => {
  const message = event.data
  if (message.type === 'signed-out') {
    if (!current.value) return
    end(signedOutNotice)
    onSignedOut(signedOutNotice)
  } else if (message.type === 'signed-in') {
    const mine = current.value
    // Another tab renewed or signed in: its token is as good as ours (same cookie), and newer.
    if (!mine || message.signIn.expiresAt > mine.expiresAt) {
      notice.value = null
      adopt(message.signIn)
    }
  }
})

/**
 * Runs `work` while no other tab of this origin renews: two tabs presenting the same one-time
 * cookie at once would look like a stolen cookie to the server. Browsers without the Web Locks
 * API (before 2022) only coalesce within the tab.
 */
async function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  return 'locks' in navigator ? await navigator.locks.request(refreshLock, work) : work()
}
