/**
 * The one list of the paths this app owns, read by the router (a mount at `/` never sees them), the
 * static site (the dev server), `npm run offline` and CloudFront (the build writes it beside the
 * bundle, and serverless.yml makes its behaviours from it): every place that decides who answers a
 * path decides it from here.
 */

/** The app's own paths: its API, its sign-in, its health check and its OpenAPI document, each with what lies below it. */
export const ownPrefixes = ['/api', '/auth', '/health', '/openapi.json'] as const

/**
 * The paths answered streamed (CloudFront path patterns: `*` any run of characters): behind the one
 * origin they go to the `stream` function, whose answers have no size limit and leave as they are
 * written (docs/DEPLOY.md, "Streamed routes"); every other path of the function goes to `api`. Add a
 * mounted app's large downloads or reports here (`'/reports/*'`).
 */
export const streamedPaths = ['/api/notes/export'] as const

/** Where the SPA lives when a mount holds `/`: the mounted app keeps `/` and every other path. */
export const spaBaseBesideRootMount = '/app/'

/** Whether `path` is `prefix` or lies below it (`/api` and `/api/notes`, not `/apis`). */
export function isUnder(prefix: string, path: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`)
}

/** Whether `path` is one of the app's own (see {@link ownPrefixes}). */
export function isOwnPath(path: string): boolean {
  return ownPrefixes.some((prefix) => isUnder(prefix, path))
}

/** Who answers what, for a list of mount paths. */
export interface SitePaths {
  /** Path prefixes the function answers (the app's own, then each mount's not already below one of them); `/` when a mount holds it. */
  function: string[]
  /** Where the SPA's files and pages live: `/`, or {@link spaBaseBesideRootMount} when a mount holds `/`. */
  spaBase: string
  /** Of the function's paths, those answered streamed: {@link streamedPaths}. */
  streamed: string[]
}

/**
 * The paths of a site with these mounts: the function answers the app's own paths and every mount's;
 * the SPA takes what is left, at `/`, unless a mount holds `/`, which then answers every path but the
 * app's own and the SPA's, which moves to {@link spaBaseBesideRootMount}.
 */
export function sitePaths(mountPaths: readonly string[]): SitePaths {
  const rootMounted = mountPaths.includes('/')
  const prefixes: string[] = [...ownPrefixes]
  for (const path of mountPaths) if (path !== '/' && !prefixes.some((p) => isUnder(p, path))) prefixes.push(path)
  return {
    function: rootMounted ? [...prefixes, '/'] : prefixes,
    spaBase: rootMounted ? spaBaseBesideRootMount : '/',
    streamed: [...streamedPaths],
  }
}

/** Whether the function answers `path` on a site laid out as `paths` (else the SPA's files and pages do). */
export function functionAnswers(paths: SitePaths, path: string): boolean {
  if (paths.function.includes('/')) return !isUnder(paths.spaBase.replace(/\/$/, ''), path)
  return paths.function.some((prefix) => isUnder(prefix, path))
}
