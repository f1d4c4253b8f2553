import type { RequestHandler, Response, Router } from 'express'
import type { SignInDoor } from '../auth/sign-in-door'
import { RenewalRaced } from '../auth/sign-ins'
import { HttpError } from '../errors'
import { buildRouter, routeTable } from '../http/routes'
import type { PageCookie } from './page-cookie'

/** The path that renews the page cookie from the refresh cookie (which is sent only under /auth). */
export const renewPath = '/auth/page'

/** The way back from a sign-in page to `page`: through the renewal, so the new sign-in's page cookie is set on the way. */
export function backThroughRenewal(page: string): string {
  return `${renewPath}?return=${encodeURIComponent(page)}`
}

/**
 * GET /auth/page?return=<path>: renews the page cookie from the refresh cookie (Path=/auth, so only
 * sent here) and goes back to the page. With no sign-in to renew, the door clears the refresh cookie's
 * hint, so the page then goes to its sign-in page (or stays anonymous) rather than coming back here.
 */
export function renewPageCookie(door: SignInDoor, pageCookie: PageCookie): RequestHandler {
  return async function renewPageCookie(req, res) {
    res.set('Cache-Control', 'no-store')
    const target = localPath(req.query.return)
    const again = req.query.again !== undefined
    try {
      const { issued } = await door.renew(req, res)
      pageCookie.set(req, res, issued)
      return res.redirect(303, target)
    } catch (err) {
      if (!(err instanceof HttpError) || err.status !== 401) throw err
      // The SPA (or another tab) renewed with this cookie a moment ago: its new cookie is on its way to
      // the browser. A second later this page asks again, with it.
      if (err instanceof RenewalRaced && !again) return reloadOnce(res, target, 1)
      // A chain of redirects that began on another site (a link in an email) leaves out the refresh
      // cookie, which is SameSite=Strict: one same-site step, this page reloading itself, brings it.
      if (req.get('sec-fetch-site') === 'cross-site' && !again) return reloadOnce(res, target, 0)
    }
    pageCookie.clear(req, res)
    res.redirect(303, target)
  }
}

function reloadOnce(res: Response, target: string, seconds: number): void {
  const url = `${res.req.pathPrefix ?? ''}${backThroughRenewal(target)}&again=1`
  res.type('html').send(`<!doctype html><meta http-equiv="refresh" content="${seconds};url=${escapeHtml(url)}"><title>Signing in</title>`)
}

/** A path of this site to go back to; anything else (another site, `//host`, `/\host`) becomes `/`. */
export function localPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/'
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * `GET /auth/page`, served when the app has mounts and its own sign-in: the route table the router
 * is built from and the OpenAPI document reads (createApp passes it on), so it is documented like
 * every other route. The handler is {@link renewPageCookie}.
 */
export const pageRenewalApi = routeTable('/auth', {
  renewPage: {
    method: 'get',
    path: '/page',
    summary:
      'Renews the page cookie of mounted apps’ pages from the refresh cookie, then goes back to the path in ?return= (another site’s URL becomes /). See docs/AUTH.md, "Pages of mounted apps"',
    auth: 'none',
    errors: [400, 503], // like every route: a malformed JSON body; and the table out of reach
    responses: {
      200: {
        description:
          'Reached from another site (so without the SameSite=Strict refresh cookie), or just after another tab renewed: an HTML page that reloads this URL once (with &again=1)',
      },
      303: {
        description: 'Back to the page: with a renewed page cookie, or, when nobody is signed in, without one',
        headers: { Location: { description: 'The path of ?return=' }, 'Set-Cookie': { description: 'The page cookie' } },
      },
    },
  },
})

/** The router of {@link pageRenewalApi}, to mount at `/auth`. */
export function pageRenewalRoutes(renewPage: RequestHandler): Router {
  return buildRouter(pageRenewalApi, {
    renewPage: async (req, res) => {
      await renewPage(req, res, () => undefined)
    },
  })
}
