import type { Request, Response } from 'express'
import type { IssuedToken } from '../auth/tokens'
import { parse } from 'cookie'

/**
 * The page cookie: an access token a browser sends when it navigates, made from its sign-in (see
 * docs/AUTH.md, "Pages of mounted apps"). `HttpOnly`, `SameSite=Lax`, on every path of the site (behind
 * a stage or base path, every path under it), as long-lived as the access token it holds.
 */
export interface PageCookie {
  set(req: Request, res: Response, token: IssuedToken): void
  clear(req: Request, res: Response): void
  read(req: Request): string | undefined
}

export function pageCookie(production: boolean): PageCookie {
  // __Host-: Secure, Path=/ and no Domain, so a sibling subdomain cannot set or shadow it (needs HTTPS, so
  // not in dev). Behind a prefix the path is not `/`, which __Host- forbids: __Secure- then.
  const nameFor = (req: Request) => (!production ? 'page-token' : req.pathPrefix ? '__Secure-page-token' : '__Host-page-token')
  const attributes = (req: Request) => ({ httpOnly: true, sameSite: 'lax' as const, secure: production, path: `${req.pathPrefix ?? ''}/` })
  return {
    set: (req, res, token) => void res.cookie(nameFor(req), token.token, { ...attributes(req), maxAge: token.expiresIn * 1000 }),
    clear: (req, res) => void res.clearCookie(nameFor(req), attributes(req)),
    read: (req) => cookiesOf(req)[nameFor(req)],
  }
}

/** The request's cookies by name, decoded (the first of a name wins, as browsers send the most specific path first). */
export function cookiesOf(req: Request): Record<string, string | undefined> {
  return parse(req.get('cookie') ?? '')
}
