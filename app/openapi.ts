import { STATUS_CODES } from 'node:http'
import { meApi } from './auth/me'
import { refreshCookieName } from './auth/refresh-cookie'
import { authApi } from './auth/routes'
import * as z from 'zod/mini'
import { builtOnFirstUse, meta } from './http/zod'
import {
  fullPath,
  pathParameters,
  schemaIn,
  type Access,
  type JsonSchema,
  type ResponseDefinition,
  type RouteDefinition,
  type RouteTable,
} from './http/routes'
import { serviceApi } from './http/service-routes'
import { exportApi, notesApi, trashApi } from './notes/routes'

const problem = builtOnFirstUse(() =>
  meta(
    z.object({
      type: z.string(),
      title: z.string(),
      status: z.int(),
      detail: z.string(),
      requestId: z.string(),
      errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
    }),
    { id: 'Problem', description: 'RFC 9457 problem details' },
  ),
)

/** What the document describes: the auth routes only when the app issues its own tokens, and the tables of the routes mounts add. */
export interface DocumentOptions {
  ownAuth: boolean
  /** Route tables served beside the app's own, such as the mount layer's GET /auth/page. */
  more?: readonly RouteTable[]
}

/**
 * The route tables the app mounts (app/index.ts), in its order: the auth routes only when the app
 * issues its own tokens. test/openapi.test.ts checks this list against the routes the app answers.
 */
export function routeTables(options: DocumentOptions): RouteTable[] {
  return [serviceApi, ...(options.ownAuth ? [authApi] : []), ...(options.more ?? []), meApi, exportApi, notesApi, trashApi]
}

/**
 * The OpenAPI 3.1 document of the API, built from the route tables the routers are built from: paths,
 * methods, parameters, security and bodies come from the same definitions, and the bodies' schemas
 * are the zod schemas that validate requests. Built on first use, not at start.
 */
export function openApiDocument(options: DocumentOptions): object {
  const referenced = new Set<string>()
  const schemaOf = (schema: z.ZodMiniType | JsonSchema): object => {
    if (!(schema instanceof z.ZodMiniType)) return schema
    const id = z.globalRegistry.get(schema)?.id
    if (!id) throw new Error('A body schema of a route needs meta({ id }) to be a component of the OpenAPI document')
    referenced.add(id)
    return { $ref: `#/components/schemas/${id}` }
  }

  const paths: Record<string, Record<string, object>> = {}
  for (const table of routeTables(options)) {
    for (const [operationId, route] of Object.entries(table.routes)) {
      const path = fullPath(table.base, route.path).replace(/:(\w+)/g, '{$1}')
      paths[path] ??= {}
      paths[path][route.method] = operation(operationId, route, schemaOf)
    }
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Notes API',
      version: '1.0.0',
      description: 'Notes of signed-in users, with a trash. Errors are RFC 9457 problem details.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'The origin that serves this document' }],
    paths,
    components: {
      schemas: componentSchemas(referenced),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        ...(options.ownAuth ? { refreshCookie: { type: 'apiKey', in: 'cookie', name: refreshCookieName } } : {}),
      },
    },
  }
}

function operation(operationId: string, route: RouteDefinition, schemaOf: (schema: z.ZodMiniType | JsonSchema) => object): object {
  const json = (schema: ResponseDefinition['body']) =>
    schema ? { content: { 'application/json': { schema: schemaOf(schemaIn(schema)) } } } : {}
  const parameters = [
    ...pathParameters(route.path).map((name) => ({
      name,
      in: 'path',
      required: true,
      description: route.params?.[name],
      schema: { type: 'string' },
    })),
    ...queryParameters(route.query && schemaIn(route.query)),
    ...Object.entries(route.headers ?? {}).map(([name, { description }]) => ({
      name,
      in: 'header',
      required: false,
      description,
      schema: { type: 'string' },
    })),
  ]
  const responses: Record<string, object> = {}
  for (const [status, response] of Object.entries(route.responses)) {
    const headers = Object.entries(response.headers ?? {}).map(([name, { description }]): [string, object] => [
      name,
      { description, schema: { type: 'string' } },
    ])
    responses[status] = {
      description: response.description,
      ...(headers.length ? { headers: Object.fromEntries(headers) } : {}),
      ...json(response.body),
    }
  }
  for (const status of problemStatuses(route)) {
    responses[status] = { description: STATUS_CODES[status], content: { 'application/problem+json': { schema: schemaOf(problem()) } } }
  }
  return {
    operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: security(route.auth),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, ...json(route.body) } } : {}),
    responses,
  }
}

/** What a route can answer with a problem: what follows from its definition, and what it names itself. */
function problemStatuses(route: RouteDefinition): number[] {
  const statuses = new Set(route.errors)
  if (route.auth === 'token' || route.auth === 'cookie' || typeof route.auth === 'object') statuses.add(401)
  if (typeof route.auth === 'object' || route.auth === 'cookie' || route.auth === 'optional-cookie') statuses.add(403) // scope; origin
  if (route.query) statuses.add(400)
  if (route.body) [400, 413, 415].forEach((status) => statuses.add(status))
  if (pathParameters(route.path).length > 0) statuses.add(404)
  return [...statuses].sort((a, b) => a - b)
}

function security(access: Access): object[] {
  if (access === 'none') return []
  if (access === 'cookie') return [{ refreshCookie: [] }]
  if (access === 'optional-cookie') return [{ refreshCookie: [] }, {}]
  return [{ bearer: access === 'token' ? [] : [access.scope] }]
}

/** A query schema as parameters: one per property, required unless the schema lets it be left out. */
function queryParameters(query: z.ZodMiniType | undefined): object[] {
  if (!query) return []
  const { properties = {}, required = [] } = z.toJSONSchema(query, { io: 'input' }) as {
    properties?: Record<string, { description?: string }>
    required?: string[]
  }
  return Object.entries(properties).map(([name, { description, ...schema }]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    ...(description ? { description } : {}),
    schema,
  }))
}

/** The registered zod schemas the document refers to, and those they refer to in turn. */
function componentSchemas(referenced: Set<string>): Record<string, object> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, { io: 'input', uri: (id) => `#/components/schemas/${id}` })
  const wanted = new Set<string>()
  const visit = (id: string) => {
    if (wanted.has(id)) return
    if (!schemas[id]) throw new Error(`No schema registered as ${id}`)
    wanted.add(id)
    for (const [, ref] of JSON.stringify(schemas[id]).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) visit(ref)
  }
  referenced.forEach(visit)
  return Object.fromEntries(
    [...wanted].sort().map((id) => {
      const { $schema: _schema, $id: _id, ...schema } = schemas[id]
      return [id, schema]
    }),
  )
}
