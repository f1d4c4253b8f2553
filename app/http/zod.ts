/**
 * zod for the route schemas: its `mini` build, with English messages. The full build attaches every
 * method to every schema class as it loads, which cost the cold start of each function about four
 * times what `mini` costs (docs/BENCHMARKS.md); `mini` validates and writes JSON Schema alike, with
 * checks passed to `.check()` and wrappers as functions (`z.optional(s)`, `z._default(s, v)`).
 *
 * Modules that declare schemas `import * as z from 'zod/mini'` and only ever name its members, so the
 * bundle keeps just those (a re-exported namespace would keep all of zod); they import `meta` from
 * here, so the messages are set before any schema parses.
 */
import { en } from 'zod/locales'
import { config, globalRegistry, type ZodMiniType } from 'zod/mini'
import type { GlobalMeta } from 'zod/v4/core'

config(en())

/** Registers a schema's metadata (its component `id`, a description, JSON Schema fields) and returns it, as `.meta()` does in the full build. */
export function meta<S extends ZodMiniType>(schema: S, metadata: GlobalMeta): S {
  globalRegistry.add(schema, metadata)
  return schema
}

/**
 * A schema built the first time it is needed: by a request it validates, or by the OpenAPI document.
 * zod builds each schema as a graph of objects, and the app's, built as the bundle loaded, took about
 * 13 ms of every cold start, though most requests need none of them (docs/BENCHMARKS.md). Route
 * tables name the builder itself (`query: listQuery`), which buildRouter and the OpenAPI document call
 * when they need the schema (`schemaIn`, app/http/routes.ts).
 * @example export const listQuery = builtOnFirstUse(() => z.strictObject({ ... }))
 */
export function builtOnFirstUse<T>(build: () => T): () => T {
  let built: T | undefined
  return () => (built ??= build())
}
