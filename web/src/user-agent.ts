/**
 * "Chrome 131 on Linux" from a User-Agent header: enough to tell one's own devices apart, without a
 * parser library. A client that is not a browser (curl, a script, an app) is named by its product.
 */
export function describeDevice(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown device'
  const browser = [
    ['Edg/', 'Edge'],
    ['OPR/', 'Opera'],
    ['Firefox/', 'Firefox'],
    ['Chrome/', 'Chrome'],
    ['Chromium/', 'Chromium'],
    ['Safari/', 'Safari'],
  ].find(([marker]) => userAgent.includes(marker))
  if (!browser && !userAgent.startsWith('Mozilla/')) {
    const product = userAgent.split(/[\s/;(]/, 1)[0].slice(0, 40)
    return product ? `${product} (app or script)` : 'Unknown device'
  }
  const system =
    [
      ['iPhone', 'iPhone'],
      ['iPad', 'iPad'],
      ['Android', 'Android'],
      ['Windows', 'Windows'],
      ['Mac OS X', 'macOS'],
      ['CrOS', 'ChromeOS'],
      ['Linux', 'Linux'],
    ].find(([marker]) => userAgent.includes(marker))?.[1] ?? null
  const name = browser ? withVersion(browser[1], userAgent, browser[0] === 'Safari/' ? 'Version/' : browser[0]) : 'Unknown browser'
  return system ? `${name} on ${system}` : name
}

function withVersion(browser: string, userAgent: string, marker: string): string {
  const major = new RegExp(`${marker.replace('/', '\\/')}(\\d+)`).exec(userAgent)?.[1]
  return major ? `${browser} ${major}` : browser
}

/** A sign-in as the devices page lists it. */
export interface DeviceSignIn {
  id: string
  createdAt: string
  lastUsedAt: string
  userAgent: string | null
  current: boolean
}

/**
 * The devices page's rows: this device first, then the others as the API lists them (most recently
 * used first), each with a name of its own. Devices that would share one ("Chrome 131 on Linux")
 * are numbered in the order they signed in, so every row, status message and button says which.
 */
export function deviceRows<T extends DeviceSignIn>(signIns: T[]): (T & { name: string })[] {
  const described = signIns.map((signIn) => ({ ...signIn, name: describeDevice(signIn.userAgent) }))
  const byName = new Map<string, typeof described>()
  for (const row of described) byName.set(row.name, [...(byName.get(row.name) ?? []), row])
  for (const same of byName.values()) {
    if (same.length < 2) continue
    same.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).forEach((row, i) => (row.name = `${row.name} (${i + 1})`))
  }
  return [...described.filter((row) => row.current), ...described.filter((row) => !row.current)]
}
