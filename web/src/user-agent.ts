/** "Chrome on Linux" from a User-Agent header: enough to tell one's own devices apart, without a parser library. */
export function describeDevice(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown browser'
  const browser =
    [
      ['Edg/', 'Edge'],
      ['OPR/', 'Opera'],
      ['Firefox/', 'Firefox'],
      ['Chrome/', 'Chrome'],
      ['Chromium/', 'Chromium'],
      ['Safari/', 'Safari'],
    ].find(([marker]) => userAgent.includes(marker))?.[1] ?? 'A browser'
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
  return system ? `${browser} on ${system}` : browser
}
