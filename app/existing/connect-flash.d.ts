declare module 'connect-flash' {
  import type { RequestHandler } from 'express'
  /** connect-flash's middleware: `req.flash` on `req.session`, unless the request has one already. */
  export default function flash(options?: { unsafe?: boolean }): RequestHandler
}
