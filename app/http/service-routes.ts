import type { Router } from 'express'
import { buildRouter, routeTable } from './routes'

/** The service's own routes. Their bodies are JSON Schema written out, so answering /health loads no zod. */
export const serviceApi = routeTable('/', {
  getHealth: {
    method: 'get',
    path: '/health',
    summary: 'Liveness',
    auth: 'none',
    errors: [400], // like every route: a body sent with `Content-Type: application/json` that is not JSON
    responses: {
      200: {
        description: 'Up',
        body: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'], additionalProperties: false },
      },
    },
  },
  getOpenApiDocument: {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    auth: 'none',
    errors: [400],
    responses: {
      200: {
        description: 'The OpenAPI 3.1 document of this API',
        body: {
          type: 'object',
          properties: { openapi: { type: 'string' }, info: { type: 'object' }, paths: { type: 'object' } },
          required: ['openapi', 'info', 'paths'],
        },
      },
    },
  },
})

/** `/health` and `/openapi.json`; `document` builds the OpenAPI document, called on the first request for it. */
export function serviceRoutes(document: () => object): Router {
  let built: object | undefined
  return buildRouter(serviceApi, {
    getHealth: (_req, res) => void res.json({ status: 'ok' }),
    getOpenApiDocument: (_req, res) => void res.json((built ??= document())),
  })
}
