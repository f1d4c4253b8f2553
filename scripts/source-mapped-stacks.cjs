/**
 * Put at the top of every Lambda bundle by scripts/build-lambda.mjs: stack traces name the source
 * file and line (`/var/task/app/notes/repository.ts:170:9`), not a column of the minified bundle.
 *
 * Node's own `--enable-source-maps` does this too, but it reads and decodes each bundle's map as the
 * bundle loads, which `npm run bench` measured at more than a hello-world bundle's whole cold start.
 * Here a map is read the first time a stack trace is formatted with a frame in its bundle: a cold
 * start that throws nothing never reads one.
 */
;(() => {
  const installed = Symbol.for('notes.source-mapped-stacks')
  if (globalThis[installed]) return
  globalThis[installed] = true
  const { readFileSync } = require('node:fs')
  const { SourceMap } = require('node:module')
  const path = require('node:path')
  const bundleDir = __dirname
  /** @type {Map<string, InstanceType<typeof SourceMap> | null>} a bundle's map, or null when it has none */
  const maps = new Map()
  const mapOf = (file) => {
    if (!maps.has(file)) {
      try {
        maps.set(file, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))))
      } catch {
        maps.set(file, null)
      }
    }
    return maps.get(file)
  }
  /** Where a frame's position is in the sources, or undefined outside the bundles or without a map. */
  const originOf = (frame) => {
    const file = frame?.getFileName()
    const line = frame?.getLineNumber()
    const column = frame?.getColumnNumber()
    if (!file || path.dirname(file) !== bundleDir || line == null || column == null) return undefined
    const entry = mapOf(file)?.findEntry(line - 1, column - 1)
    return entry?.originalSource ? entry : undefined
  }
  /**
   * A minified bundle renames functions, so a frame's own name says little. As Node does, take the name
   * the caller wrote at its call, which is where the next frame stands.
   */
  const frameText = (frame, caller) => {
    const origin = originOf(frame)
    if (!origin) return String(frame)
    const where = `${path.resolve(bundleDir, origin.originalSource)}:${origin.originalLine + 1}:${origin.originalColumn + 1}`
    const name = originOf(caller)?.name ?? frame.getFunctionName()
    return name ? `${name} (${where})` : where
  }
  Error.prepareStackTrace = (error, frames) => {
    let head
    try {
      head = String(error)
    } catch {
      head = '<error>'
    }
    return [head, ...frames.map((frame, i) => `    at ${frameText(frame, frames[i + 1])}`)].join('\n')
  }
})()
