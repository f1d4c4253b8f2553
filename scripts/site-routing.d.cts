/** Types of site-routing.cjs, for scripts/offline/run.ts. */
interface Site {
  function: string[]
  spaBase: string
  /** Absent from a site.json written before streaming. */
  streamed?: string[]
}
declare const routing: {
  readSite(dir?: string): Site
  originFor(site: Site, uri: string): 'api' | 'stream' | 'site'
  spaRoutes(site: Site): (event: { request: { uri: string } }) => { uri: string }
}
export = routing
