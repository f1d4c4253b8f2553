import type { Identity } from './auth/identity'

declare global {
  namespace Express {
    interface Request {
      /** This request's id: the caller's valid X-Request-Id, the Lambda request id, or a fresh one. */
      id: string
      /** The verified identity, set by requireAuth; what session-based code used to read. */
      user?: Identity
    }
  }
}
