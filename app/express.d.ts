import type { HttpEvent, LambdaContext } from './lambda/events'

declare global {
  namespace Express {
    interface Request {
      /** This request's id: the platform's (API Gateway or Lambda) request id, else the caller's valid X-Request-Id, else a fresh one. */
      id: string
      /** The caller's valid X-Request-Id when the platform's id is the request's; logged beside it. */
      clientRequestId?: string
      /** What the client's URL had in front of the app's paths (an API Gateway stage, a base path), set by the Lambda entry. */
      pathPrefix?: string
      /** The Lambda invocation this request came in (set by app/lambda/handler.ts); undefined off Lambda. */
      lambda?: { event: HttpEvent; context: LambdaContext }
      /**
       * Mounted code's own: whatever an existing app puts there (its user record), or, where it puts
       * nothing, a copy of the verified identity, as passport-style code expects. This app never reads
       * it: the verified identity is identityOf(req) (app/auth/identity.ts), which no code can overwrite.
       */
      user?: unknown
    }
  }
}
