import path from 'node:path'
import express, { type RequestHandler } from 'express'

/**
 * Serves the built SPA from `dir`, and its `index.html` for any other page a browser navigates to
 * (an HTML GET outside the API), so deep links work as they do behind CloudFront.
 */
export function staticSite(dir: string): RequestHandler[] {
  const index = path.join(dir, 'index.html')
  return [
    express.static(dir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheForHtml }),
    function spaFallback(req, res, next) {
      const isPage = (req.method === 'GET' || req.method === 'HEAD') && req.accepts(['json', 'html']) === 'html'
      if (!isPage || /^\/(api|auth)(\/|$)/.test(req.path)) return next()
      res.set('Cache-Control', 'no-cache').sendFile(index, (err) => err && next())
    },
  ]
}

function noCacheForHtml(res: express.Response, file: string): void {
  if (file.endsWith('.html')) res.set('Cache-Control', 'no-cache')
}
