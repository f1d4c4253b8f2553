import type { RequestHandler, Router } from 'express'
import { buildRouter, routeTable } from '../http/routes'

/**
 * `GET /auth/page`, served when the app has mounts and its own sign-in: the route table the router
 * is built from and the OpenAPI document reads (createApp passes it on), so it is documented like
 * every other route. The handler is credential.ts's renewPageCookie.
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
          'Reached from another site, so without the SameSite=Strict refresh cookie: an HTML page that reloads this URL once (with &again=1), so that it comes along',
      },
      303: {
        description:
          'Back to the page: with a renewed page cookie, or, when nobody is signed in, with a marker that stops renewals for 5 minutes',
        headers: { Location: { description: 'The path of ?return=' }, 'Set-Cookie': { description: 'The page cookie, or the marker' } },
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
