/**
 * Who answers which path behind the one origin: the function (the app's own paths and each mount's,
 * the streamed ones by the `stream` function) or the SPA's bucket. Read from dist/site.json, which `npm run build:lambda` writes from what the
 * built function says it answers (app/http/site-paths.ts), so a new mount needs no hand edit here:
 *
 * - serverless.yml takes the CloudFront distribution's behaviours and the SPA's routing function
 *   from the exports below (`${file(./scripts/site-routing.cjs):cacheBehaviors}`, ...), called by
 *   serverless with its `resolveConfigurationProperty` to read `custom.apiBehavior`, `custom.streamBehavior`
 *   and `custom.siteBehavior`;
 * - `npm run offline` (scripts/offline/run.ts) routes with the same behaviours and runs the same function code.
 */
const { existsSync, readFileSync } = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')

/** dist/site.json, as the Lambda build wrote it. */
function readSite(dir = root) {
  const file = path.join(dir, 'dist/site.json')
  if (!existsSync(file))
    throw new Error('dist/site.json is missing: run `npm run build:lambda` first (it writes the paths the function answers)')
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** The SPA's base without its trailing slash: '' at `/`, '/app' beside a mount at `/`. */
const basePath = (site) => site.spaBase.replace(/\/$/, '')

/**
 * The distribution's behaviours, in order, each `{ PathPattern, to: 'api' | 'stream' | 'site' }`, and the
 * default's origin. The streamed paths come first (CloudFront takes the first pattern that matches). A
 * mount at `/` makes the function the default, and the SPA a behaviour at its base; otherwise the SPA is
 * the default and each of the function's prefixes a behaviour (the path itself and below it).
 */
function behaviours(site) {
  const streamed = (site.streamed ?? []).map((PathPattern) => ({ PathPattern, to: 'stream' }))
  if (site.function.includes('/')) {
    const base = basePath(site)
    return { defaultTo: 'api', ordered: [...streamed, ...[base, `${base}/*`].map((PathPattern) => ({ PathPattern, to: 'site' }))] }
  }
  const ordered = site.function.flatMap((prefix) => [prefix, `${prefix}/*`].map((PathPattern) => ({ PathPattern, to: 'api' })))
  return { defaultTo: 'site', ordered: [...streamed, ...ordered] }
}

/** Whether CloudFront's path pattern matches `uri`: `*` any run of characters, `?` one, case-sensitive. */
function patternMatches(pattern, uri) {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  )
  return regex.test(uri)
}

/** `api`, `stream` or `site`: where the distribution sends `uri`. */
function originFor(site, uri) {
  const { defaultTo, ordered } = behaviours(site)
  return ordered.find((b) => patternMatches(b.PathPattern, uri))?.to ?? defaultTo
}

/**
 * The CloudFront Function (viewer request) of the SPA's behaviours: a path below the SPA's base whose
 * last segment has no dot (a client-side route such as /notes/abc) becomes /index.html; a file keeps
 * its path, without the base (the bucket holds public/ at its root).
 */
function spaRoutesCode(site) {
  return `function handler(event) {
  var request = event.request;
  var uri = request.uri.slice(${JSON.stringify(basePath(site))}.length) || '/';
  var last = uri.split('/').pop();
  request.uri = last.indexOf('.') === -1 ? '/index.html' : uri;
  return request;
}
`
}

/** The same function, to run here: `npm run offline` routes the SPA's requests through it. */
function spaRoutes(site) {
  return new Function(`${spaRoutesCode(site)}\nreturn handler`)()
}

/** serverless.yml: `${file(./scripts/site-routing.cjs):<name>}`. */
async function settings(resolveConfigurationProperty) {
  const [api, stream, spa] = await Promise.all([
    resolveConfigurationProperty(['custom', 'apiBehavior']),
    resolveConfigurationProperty(['custom', 'streamBehavior']),
    resolveConfigurationProperty(['custom', 'siteBehavior']),
  ])
  return { api, stream, site: spa }
}

module.exports = {
  readSite,
  behaviours,
  originFor,
  spaRoutes,
  spaRoutesCode,
  defaultCacheBehavior: async ({ resolveConfigurationProperty }) => {
    const site = readSite()
    return (await settings(resolveConfigurationProperty))[behaviours(site).defaultTo]
  },
  cacheBehaviors: async ({ resolveConfigurationProperty }) => {
    const site = readSite()
    const byOrigin = await settings(resolveConfigurationProperty)
    return behaviours(site).ordered.map(({ PathPattern, to }) => ({ PathPattern, ...byOrigin[to] }))
  },
  /** `/` is the SPA's index.html, unless a mount holds `/`. */
  defaultRootObject: () => (readSite().function.includes('/') ? '' : 'index.html'),
  spaRoutesFunctionCode: () => spaRoutesCode(readSite()),
}
