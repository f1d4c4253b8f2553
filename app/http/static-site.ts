import path from 'node:path'
import express, { type RequestHandler } from 'express'

/**
 * The built SPA in `dir`: its `files`, and its `pages`, the `index.html` for any other page a
 * browser navigates to (an HTML GET outside the API), so deep links work as they do behind
 * CloudFront. Mounted apps go between the two, so the SPA's files win over a mount at `/` and its
 * pages answer what the mount leaves.
 */
export function staticSite(dir: string): { files: RequestHandler; pages: RequestHandler } {
  const index = path.join(dir, 'index.html')
  return {
    files: express.static(dir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheForHtml }),
    pages: function spaFallback(req, res, next) {
      const isPage = (req.method === 'GET' || req.method === 'HEAD') && req.accepts(['json', 'html']) === 'html'
      if (!isPage || /^\/(api|auth)(\/|$)/.test(req.path)) return next()
      res.set('Cache-Control', 'no-cache').sendFile(index, (err) => err && next())
    },
  }
}

function noCacheForHtml(res: express.Response, file: string): void {
  if (file.endsWith('.html')) res.set('Cache-Control', 'no-cache')
}
