/**
 * Bundles each Lambda entry (lambda.ts, changes.ts, authorizer.ts when it exists, and functions/*.ts) into one
 * minified file in dist/, the AWS SDK included, with a source map and esbuild's metafile.
 *
 *   node scripts/build-lambda.mjs [--outdir <dir>] [--only <name>] [--quiet]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { existingApps } from './bundle-existing.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const entries = ['lambda', 'changes', 'authorizer', 'export-notes']
/** An entry's source: `<name>.ts` at the root, or `functions/<name>.ts` for a route peeled off the api (docs/MIGRATING.md). */
const sourceOf = (name) => [path.join(root, `${name}.ts`), path.join(root, 'functions', `${name}.ts`)].find((file) => existsSync(file))

/**
 * Builds every entry that exists (or only the one named) into `outdir` and returns the path and size of each bundle.
 * `plugins` are added to esbuild's (tests use one to see which modules a bundle evaluates).
 * @param {{ outdir?: string, only?: string, plugins?: import('esbuild').Plugin[] }} [options]
 */
export async function buildLambdas({ outdir = path.join(root, 'dist'), only, plugins = [] } = {}) {
  mkdirSync(outdir, { recursive: true })
  const present = entries.filter((name) => (only === undefined || name === only) && sourceOf(name) !== undefined)
  if (only !== undefined && present.length === 0) throw new Error(`No entry ${only}.ts to build`)
  return Promise.all(present.map((name) => buildOne(name, outdir, plugins)))
}

/**
 * Leaves out what the functions bundle but never run, each for a reason that holds for every request:
 * - iconv-lite's legacy single- and double-byte charsets (about 480 KB of tables, half the bundle).
 *   The app parses only JSON bodies, and body-parser's JSON parser answers any charset not named
 *   `utf-*` with a 415 before iconv-lite sees it; iconv-lite's UTF-8, UTF-16, UTF-32 and UTF-7 codecs stay.
 * - jsonwebtoken's Node version checks, which load semver (milliseconds of regular expressions at
 *   start) to learn what is true of every Node since 16.9; the target is Node 22.
 * - mime-db's entries and fields that mime-types, its only reader, never looks at: types with neither
 *   a charset nor an extension, and `compressible`. Its answers stay the same for every type and
 *   extension (test/lambda-startup.test.ts checks each), at less than half the parse and start-up cost.
 */
export const leanDependencies = {
  name: 'lean-dependencies',
  setup(build) {
    build.onResolve({ filter: /^\.\/(sbcs-codec|sbcs-data|sbcs-data-generated|dbcs-codec|dbcs-data)$/ }, (args) =>
      /[\\/]iconv-lite[\\/]encodings$/.test(args.resolveDir) ? { path: args.path, namespace: 'no-legacy-charsets' } : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'no-legacy-charsets' }, () => ({ contents: 'module.exports = {}', loader: 'js' }))
    build.onResolve({ filter: /\/(psSupported|asymmetricKeyDetailsSupported|rsaPssKeyDetailsSupported)$/ }, (args) =>
      /[\\/]jsonwebtoken[\\/]/.test(args.importer) ? { path: args.path, namespace: 'supported-since-node-16' } : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'supported-since-node-16' }, () => ({ contents: 'module.exports = true', loader: 'js' }))
    build.onLoad({ filter: /[\\/]mime-db[\\/]db\.json$/ }, (args) => ({
      contents: JSON.stringify(mimeTypesView(JSON.parse(readFileSync(args.path, 'utf8')))),
      loader: 'json',
    }))
  },
}

/** The part of mime-db that mime-types reads: `source`, `charset` and `extensions` of the types that have a charset or an extension. */
function mimeTypesView(db) {
  const view = {}
  for (const [type, { source, charset, extensions }] of Object.entries(db)) {
    if (charset === undefined && extensions === undefined) continue
    view[type] = { source, charset, extensions }
  }
  return view
}

/** esbuild's options for every function bundle; `npm run bench` bundles its baselines with the same. */
export const bundleOptions = {
  bundle: true,
  minify: true,
  sourcemap: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  // ES module builds of the SDK and friends tree-shake; the CommonJS ones would come whole.
  mainFields: ['module', 'main'],
  // The runtime ships no SDK we rely on: bundling pins the version we tested and loads faster.
  external: [],
  // Licence notices go to dist/<name>.js.LEGAL.txt, kept with the build but out of the deployed file.
  legalComments: 'external',
  metafile: true,
  logLevel: 'warning',
}

/**
 * What the API function requires only when a request needs it (see db/client.ts, auth/tokens.ts,
 * auth/verifier.ts): the AWS SDK, jsonwebtoken, and jwks-rsa with its JOSE library. Evaluating them
 * lazily is not enough, as V8 still parses every function of a file when it loads it: with these in
 * the bundle as code, that parse alone took longer than a whole hello-world Express bundle's. So each
 * is bundled on its own and carried in dist/lambda.js as a string, compiled on its first `require`.
 * Only packages are deferred, never the app's own modules, so no class (HttpError) exists twice.
 */
const deferredImports = [
  { importer: /[\\/]app[\\/]db[\\/]client\.ts$/, path: /^\.\/sdk$/ },
  { importer: /[\\/]app[\\/]auth[\\/]/, path: /^(jsonwebtoken|jwks-rsa)$/ },
]

/**
 * @param {import('esbuild').Plugin[]} plugins the caller's, applied inside each deferred bundle too
 * @param {Map<string, import('esbuild').Metafile>} metafiles filled with each deferred bundle's metafile, by its module's key
 */
function deferCompilation(plugins, metafiles) {
  return {
    name: 'defer-compilation',
    setup(outer) {
      outer.onResolve({ filter: /^(\.\/sdk|jsonwebtoken|jwks-rsa)$/ }, async (args) => {
        if (args.pluginData?.deferred || !deferredImports.some((d) => d.importer.test(args.importer) && d.path.test(args.path)))
          return undefined
        const resolved = await outer.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { deferred: true } })
        if (resolved.errors.length > 0) return { errors: resolved.errors }
        return { path: resolved.path, namespace: 'deferred' }
      })
      outer.onLoad({ filter: /.*/, namespace: 'deferred' }, async (args) => {
        const inner = await build({
          ...bundleOptions,
          entryPoints: [args.path],
          write: false,
          sourcemap: false,
          legalComments: 'none',
          // Code compiled by vm has no module loader for `import()`: the SDK's `import("node:http")` becomes a require.
          supported: { 'dynamic-import': false },
          plugins: [leanDependencies, ...plugins],
        })
        const code = `(function (exports, require, module, __filename, __dirname) {${inner.outputFiles[0].text}\n})`
        const filename = `deferred:${path.relative(root, args.path)}`
        metafiles.set(`deferred:${args.path}`, inner.metafile)
        return {
          loader: 'js',
          watchFiles: Object.keys(inner.metafile.inputs),
          contents: `const inner = { exports: {} }
require('node:vm').runInThisContext(${JSON.stringify(code)}, { filename: ${JSON.stringify(filename)} })(inner.exports, require, inner, __filename, __dirname)
module.exports = inner.exports`,
        }
      })
    },
  }
}

/**
 * The app's modules that build zod schemas when evaluated, as app/index.ts imports them, with the
 * functions it calls. app/index.ts calls them only when a request first reaches their routes (see
 * builtOnFirstRequest there), so the bundle gives it stand-ins that require the real module then:
 * a cold start that answers `/health` or a 401 never builds a schema. (The source keeps plain
 * imports, so tests and the dev server load the one copy of each module as usual.)
 */
const loadedOnFirstCall = {
  './notes/routes': ['notesRoutes', 'trashRoutes'],
  './auth/routes': ['authRoutes'],
  './openapi': ['openApiDocument'],
}

const loadOnFirstCall = {
  name: 'load-on-first-call',
  setup(outer) {
    outer.onResolve({ filter: /^\.\/(notes\/routes|auth\/routes|openapi)$/ }, async (args) => {
      if (!/[\\/]app[\\/]index\.ts$/.test(args.importer)) return undefined
      const resolved = await outer.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir })
      if (resolved.errors.length > 0) return { errors: resolved.errors }
      return { path: resolved.path, namespace: 'on-first-call', pluginData: { names: loadedOnFirstCall[args.path] } }
    })
    outer.onLoad({ filter: /.*/, namespace: 'on-first-call' }, (args) => ({
      loader: 'js',
      resolveDir: path.dirname(args.path),
      // An ES module, so a name app/index.ts imports but this list lacks fails the build rather than a request.
      contents: [
        'let real',
        `const load = () => (real ??= require(${JSON.stringify(args.path)}))`,
        ...args.pluginData.names.map((name) => `export function ${name}(...args) { return load().${name}(...args) }`),
      ].join('\n'),
    }))
  },
}

async function buildOne(name, outdir, plugins) {
  const outfile = path.join(outdir, `${name}.js`)
  const deferred = new Map()
  // View engines, __dirname and module.parent of mounted apps; their views and assets go to <name>.files/.
  const existing = await existingApps({ root, entry: sourceOf(name), name, outdir, plugins })
  const result = await build({
    ...bundleOptions,
    entryPoints: [sourceOf(name)],
    outfile,
    plugins: [
      leanDependencies,
      ...(name === 'lambda' ? [loadOnFirstCall, deferCompilation(plugins, deferred)] : []),
      ...plugins,
      existing.plugin,
    ],
  })
  existing.copyFiles()
  withDeferredInputs(result.metafile, deferred)
  writeFileSync(path.join(outdir, `${name}.meta.json`), JSON.stringify(result.metafile))
  const bytes = result.metafile.outputs[path.relative(process.cwd(), outfile)]?.bytes ?? 0
  return { name, outfile, bytes, inputs: topInputs(result.metafile, outfile) }
}

/** Lists what each deferred bundle holds in place of the one string that carries it, so the metafile says which packages weigh what. */
function withDeferredInputs(metafile, deferred) {
  for (const output of Object.values(metafile.outputs)) {
    for (const [key, inner] of deferred) {
      if (!output.inputs[key]) continue
      delete output.inputs[key]
      for (const innerOutput of Object.values(inner.outputs)) {
        for (const [input, { bytesInOutput }] of Object.entries(innerOutput.inputs)) {
          const seen = output.inputs[input]?.bytesInOutput ?? 0
          output.inputs[input] = { bytesInOutput: seen + bytesInOutput }
        }
      }
    }
  }
}

/** The few packages that weigh most in a bundle, so a growing bundle says why. */
function topInputs(metafile, outfile) {
  const output = metafile.outputs[path.relative(process.cwd(), outfile)]
  const byPackage = new Map()
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)
    const key = match ? match[1] : '(project)'
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput)
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 4)
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`

async function main() {
  const { values } = parseArgs({ options: { outdir: { type: 'string' }, only: { type: 'string' }, quiet: { type: 'boolean' } } })
  const outdir = values.outdir ? path.resolve(values.outdir) : undefined
  const built = await buildLambdas({ outdir, only: values.only })
  if (values.quiet) return
  for (const { outfile, bytes, inputs } of built) {
    const heaviest = inputs.map(([pkg, size]) => `${pkg} ${kb(size)}`).join(', ')
    console.log(`  ${path.relative(process.cwd(), outfile).padEnd(22)} ${kb(bytes).padStart(8)}   (${heaviest})`)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err.message ?? err)
    process.exit(1)
  })
}
