import express, { type Request, type RequestHandler, type Response, type Router } from 'express'
import type * as z from 'zod/mini'
import { requireScope } from '../auth/require-auth'
import { HttpError } from '../errors'
import { parse } from './validate'

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

/**
 * Who may call a route: `none` anyone; `token` a valid bearer token (checked by buildRouter's
 * `authenticate`, else where the router is mounted, e.g. requireAuth on `/api`); `{ scope }` a token
 * that grants the scope (checked here, after the token); `cookie` / `optional-cookie` the refresh
 * cookie, which the handler reads, behind buildRouter's `cookieGuard` (the cross-site check).
 */
export type Access = 'none' | 'token' | { scope: string } | 'cookie' | 'optional-cookie'

/** A JSON Schema written out, for a body that no zod schema validates (and that needs no zod at start). */
export interface JsonSchema {
  type: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean'
  [keyword: string]: unknown
}

/**
 * A zod schema, or the function that builds it on first call (builtOnFirstUse, app/http/zod.ts), so
 * that a table names its schemas without building them at start: buildRouter and the OpenAPI document
 * read each one when they need it (`schemaIn`).
 */
export type Schema = z.ZodMiniType | (() => z.ZodMiniType)

/** The schema a definition names, built now if the table named its builder. */
export function schemaIn<S extends z.ZodMiniType | JsonSchema>(schema: S | (() => S)): S {
  return typeof schema === 'function' ? schema() : schema
}

export interface ResponseDefinition {
  description: string
  /** The JSON body; a zod schema with a `meta({ id })` becomes a component of the OpenAPI document. */
  body?: Schema | JsonSchema
  headers?: Record<string, { description: string }>
}

/** One route: everything the router needs and everything the OpenAPI document says about it. */
export interface RouteDefinition {
  method: Method
  /** An Express path relative to the table's base; each `:name` in it is a path parameter. */
  path: string
  summary: string
  /** What the summary cannot say: how the answer is sent, what it costs (Markdown, in the OpenAPI document). */
  description?: string
  auth: Access
  /** Validates `req.query`; the handler gets the parsed value. */
  query?: Schema
  /** Validates `req.body`; the handler gets the parsed value. */
  body?: Schema
  /** Descriptions of the path parameters, by name. */
  params?: Record<string, string>
  /** Request headers the handler reads (documented; the handler checks them). */
  headers?: Record<string, { description: string }>
  /** Success responses by status. */
  responses: Record<number, ResponseDefinition>
  /**
   * Problem statuses the route can answer beyond those that follow from the definition (401 with a
   * token, 403 with a scope, 400 with a query, 400/413/415 with a body, 404 with a path parameter).
   */
  errors?: number[]
}

export type Routes = Record<string, RouteDefinition>

/** Routes mounted together at `base`, keyed by operation id. */
export interface RouteTable<R extends Routes = Routes> {
  base: string
  routes: R
}

/** What the handler of a definition receives: the query and body, parsed by the definition's schemas. */
export interface Input<D extends RouteDefinition> {
  query: D extends { query: infer Q extends Schema } ? Parsed<Q> : undefined
  body: D extends { body: infer B extends Schema } ? Parsed<B> : undefined
}

/** What a schema, or the schema its builder returns, parses to. */
type Parsed<S extends Schema> = z.output<S extends () => infer Built ? Built : S>

export type RouteHandler<D extends RouteDefinition> = (req: Request, res: Response, input: Input<D>) => void | Promise<void>

/**
 * Declares the routes mounted at `base`: the router is built from it (buildRouter) and the OpenAPI
 * document reads it (app/openapi.ts), so a route cannot be served without being documented.
 * @example
 * export const trashApi = routeTable('/api/trash', {
 *   listTrash: { method: 'get', path: '/', summary: 'List trashed notes', auth: { scope: 'notes:read' }, query: listQuery,
 *                responses: { 200: { description: 'A page', body: notePage } } },
 * })
 */
export function routeTable<R extends Routes>(base: string, routes: R): RouteTable<R> {
  for (const [operationId, route] of Object.entries(routes)) {
    const names = pathParameters(route.path)
    for (const name of Object.keys(route.params ?? {})) {
      if (!names.includes(name)) throw new Error(`${operationId}: parameter "${name}" is not in the path ${route.path}`)
    }
  }
  return { base, routes }
}

export interface BuildOptions {
  /** Authenticates the routes whose access is a token, when the router is not mounted behind requireAuth. */
  authenticate?: RequestHandler
  /** Goes in front of the routes a cookie authenticates; required when the table has any. */
  cookieGuard?: RequestHandler
}

/**
 * Builds the router of a table, one handler per operation id: the access check (`options`, then the
 * scope), then the query and body parsed by the route's schemas (400 with every problem), then the
 * handler. Routes are tried in the table's order.
 */
export function buildRouter<R extends Routes>(
  table: RouteTable<R>,
  handlers: { [Id in keyof R]: RouteHandler<R[Id]> },
  options: BuildOptions = {},
): Router {
  const router = express.Router()
  const byPath = new Map<string, Handlers>()
  for (const [operationId, route] of Object.entries(table.routes)) {
    const handle = handlers[operationId] as RouteHandler<RouteDefinition>
    const chain = [...access(route.auth, options, operationId)]
    chain.push(function validated(req, res) {
      // Per request, never when the router is built: a table may name a schema's builder (builtOnFirstUse).
      const query: unknown = route.query ? parse(schemaIn(route.query), req.query, 'query') : undefined
      const body: unknown = route.body ? parse(schemaIn(route.body), req.body, 'body') : undefined
      return handle(req, res, { query, body } as Input<RouteDefinition>)
    })
    byPath.set(route.path, { ...byPath.get(route.path), [route.method]: chain })
  }
  for (const [path, methods] of byPath) resource(router, path, methods)
  return router
}

/** The middleware that enforces a route's access before its handler. */
function access(auth: Access, options: BuildOptions, operationId: string): RequestHandler[] {
  if (auth === 'cookie' || auth === 'optional-cookie') {
    if (!options.cookieGuard) throw new Error(`${operationId}: a route the refresh cookie authenticates needs buildRouter's cookieGuard`)
    return [options.cookieGuard]
  }
  const authenticate = auth !== 'none' && options.authenticate ? [options.authenticate] : []
  return typeof auth === 'object' ? [...authenticate, requireScope(auth.scope)] : authenticate
}

/** The names of an Express path's parameters: `/:id/restore` has `id`. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((match) => match[1])
}

/** The full path of a route: its table's base and its own path. */
export function fullPath(base: string, path: string): string {
  if (path === '/') return base
  return (base === '/' ? '' : base) + path
}

type Handlers = Partial<Record<Method, RequestHandler | RequestHandler[]>>

/**
 * Declares one path and its methods. Any other method gets 405 with `Allow` (OPTIONS gets 204 with
 * it), and the route pattern is recorded for the access log. buildRouter uses it for every path of a table.
 */
function resource(router: Router, path: string, handlers: Handlers): void {
  const methods = Object.keys(handlers).map((method) => method.toUpperCase())
  if (methods.includes('GET')) methods.push('HEAD')
  const allow = methods.join(', ')
  const route = router.route(path)
  route.all(function recordRoute(req, res, next) {
    res.locals.route = path === '/' && req.baseUrl ? req.baseUrl : req.baseUrl + path
    next()
  })
  for (const [method, handler] of Object.entries(handlers) as [Method, RequestHandler | RequestHandler[]][]) {
    route[method](handler)
  }
  route.all(function methodNotAllowed(req, res, next) {
    if (req.method === 'OPTIONS') {
      res.set('Allow', allow).status(204).end()
      return
    }
    next(new HttpError(405, 'Method Not Allowed', { detail: `${req.method} is not allowed here; use ${allow}`, headers: { Allow: allow } }))
  })
}
