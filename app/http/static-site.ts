import path from 'node:path'
import express, { type RequestHandler } from 'express'
import { isOwnPath } from './site-paths'

/**
 * The built SPA in `dir`, served at `base` (`/`, or `/app/` beside a mount at `/`: app/http/site-paths.ts):
 * its `files`, and its `pages`, the `index.html` for any other page a browser navigates to below `base`
 * (an HTML GET outside the app's own paths), so deep links work as they do behind CloudFront. Mounted
 * apps go between the two, so the SPA's files win over a mount and its pages answer what mounts leave.
 */
export function staticSite(dir: string, base = '/'): { files: RequestHandler; pages: RequestHandler } {
  const index = path.join(dir, 'index.html')
  const mountPath = base.replace(/\/$/, '') || '/'
  const files = express.static(dir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheForHtml })
  const pages: RequestHandler = function spaFallback(req, res, next) {
    const isPage = (req.method === 'GET' || req.method === 'HEAD') && req.accepts(['json', 'html']) === 'html'
    if (!isPage || isOwnPath(req.originalUrl.split('?', 1)[0])) return next()
    res.set('Cache-Control', 'no-cache').sendFile(index, (err) => err && next())
  }
  return { files: express.Router().use(mountPath, files), pages: express.Router().use(mountPath, pages) }
}

function noCacheForHtml(res: express.Response, file: string): void {
  if (file.endsWith('.html')) res.set('Cache-Control', 'no-cache')
}
