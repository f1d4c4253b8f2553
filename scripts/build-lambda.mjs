/**
 * Bundles each Lambda entry (lambda.ts, changes.ts, authorizer.ts when it exists, and functions/*.ts) into one
 * minified file in dist/, with a source map and esbuild's metafile. The packages app/deferred.ts loads on
 * first use go to files of their own beside them, such as dist/dynamodb-sdk.js (see below). Mounted apps that
 * are packages of their own ship as files in dist/<name>.files/ (scripts/ship-mounted.mjs). Then the api
 * function is loaded as Lambda loads it, in an empty folder, and the paths it answers are written to
 * dist/site.json, which serverless.yml (CloudFront), `npm run offline` and the SPA's build read.
 *
 *   node scripts/build-lambda.mjs [--outdir <dir>] [--only <name>] [--quiet]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { loadCheck, shipMounted } from './ship-mounted.mjs'

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
  const deferred = deferredApart(outdir, plugins)
  const built = await Promise.all(present.map((name) => buildOne(name, outdir, [deferred, ...plugins])))
  if (present.includes('lambda')) {
    // The function's paths: the app's own and each mount's, and where the SPA lives (app/http/site-paths.ts).
    const { site } = loadCheck({ outdir, name: 'lambda', alongside: deferredFiles })
    if (!site) throw new Error('dist/lambda.js loaded without its `cold start` log line, which names the paths it answers')
    writeFileSync(path.join(outdir, 'site.json'), `${JSON.stringify(site, null, 2)}\n`)
  }
  return built
}

/** The files of the packages app/deferred.ts loads on first use, which every function's zip holds beside its bundle. */
const deferredFiles = readdirSync(path.join(root, 'app/deferred')).map((file) => file.replace(/\.ts$/, '.js'))

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
 *   And mime-types builds its maps of extensions and types with the first lookup that needs them, not
 *   as Express loads it: JSON answers (charsets only) never do.
 * - the AWS SDK's default credential chain beyond its first link: on Lambda the credentials are in
 *   the environment, so the clients get `fromEnv` alone (scripts/credentials-from-environment.mjs). The
 *   chain's other providers and the STS and SSO clients they bring were 40% of dist/dynamodb-sdk.js
 *   (338 to 205 KiB). The dev server and tests run the sources, with the whole chain.
 * - Node's ES module facade of a `node:` built-in the bundle loads with `import()`: the SDK's HTTP
 *   handler loads `node:http` that way on its first request, and the facade reads every export of the
 *   module, among them `WebSocket`, `CloseEvent` and `MessageEvent`, whose getters load and compile
 *   undici (Node's fetch, which nothing here uses). The bundle requires the module instead: the same
 *   object, the same `default`, without the facade.
 * - the SDK's event streams, which no operation of DynamoDB, SES or SNS has. @smithy/core loads them
 *   with `import()`, only for an operation that streams events, and for that esbuild wraps the module
 *   and all it imports, some 150 of the SDK's modules, in functions of their own, which V8 parses twice:
 *   ahead at load and again at the first call. With the import answered by a module that says they are
 *   left out (`eventStreamsLeftOut`), the SDK's modules are plain top-level code and its file 19 KiB
 *   smaller: a cold start's first list costs about 3% less CPU.
 */
export const leanDependencies = {
  name: 'lean-dependencies',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, namespace: 'built-in-required' } : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'built-in-required' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)})`,
      loader: 'js',
    }))
    build.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, namespace: 'event-streams-left-out' } : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'event-streams-left-out' }, () => ({ contents: eventStreamsLeftOut, loader: 'js' }))
    build.onResolve({ filter: /^\.\/(sbcs-codec|sbcs-data|sbcs-data-generated|dbcs-codec|dbcs-data)$/ }, (args) =>
      /[\\/]iconv-lite[\\/]encodings$/.test(args.resolveDir) ? { path: args.path, namespace: 'no-legacy-charsets' } : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'no-legacy-charsets' }, () => ({ contents: 'module.exports = {}', loader: 'js' }))
    build.onResolve({ filter: /\/(psSupported|asymmetricKeyDetailsSupported|rsaPssKeyDetailsSupported)$/ }, (args) =>
      /[\\/]jsonwebtoken[\\/]/.test(args.importer) ? { path: args.path, namespace: 'supported-since-node-16' } : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'supported-since-node-16' }, () => ({ contents: 'module.exports = true', loader: 'js' }))
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: path.join(root, 'scripts/credentials-from-environment.mjs'),
    }))
    // Express and body-parser require qs as they load, for the "extended" query and form parsers; the app's
    // own routes use neither (query parser "simple", JSON bodies). qs, and the five packages it brings
    // (side-channel, get-intrinsic, object-inspect...), load with the first parse that needs them.
    build.onResolve({ filter: /^qs$/ }, (args) =>
      args.namespace === 'file' && /[\\/]node_modules[\\/](express|body-parser)[\\/]/.test(args.importer)
        ? { path: args.importer, namespace: 'qs-on-first-use', pluginData: { resolveDir: args.resolveDir } }
        : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'qs-on-first-use' }, (args) => ({
      contents: qsOnFirstUse,
      loader: 'js',
      resolveDir: args.pluginData.resolveDir,
    }))
    build.onLoad({ filter: /[\\/]mime-types[\\/]index\.js$/ }, (args) => ({
      contents: mapsOnFirstUse(readFileSync(args.path, 'utf8'), args.path),
      loader: 'js',
    }))
    build.onLoad({ filter: /[\\/]mime-db[\\/]db\.json$/ }, (args) => ({
      contents: JSON.stringify(mimeTypesView(JSON.parse(readFileSync(args.path, 'utf8')))),
      loader: 'json',
    }))
  },
}

/** What @smithy/core's `import('@smithy/core/event-streams')` gets: the two names it reads, each failing with the reason if used. */
const eventStreamsLeftOut = `const leftOut = () => {
  throw new Error('The AWS SDK event streams are left out of this bundle (leanDependencies in scripts/build-lambda.mjs): an operation that streams events needs them back')
}
export const eventStreamSerdeProvider = leftOut
export class EventStreamSerde {
  constructor() {
    leftOut()
  }
}
`

/** What Express and body-parser get for `require('qs')`: its two functions, the package loaded on the first call of either. */
const qsOnFirstUse = `let qs
const loaded = () => (qs ??= require('qs'))
module.exports = {
  parse: (...args) => loaded().parse(...args),
  stringify: (...args) => loaded().stringify(...args),
}
`

/**
 * The lines with which mime-types (3.x, and the 2.1.x that Express 4 brings) sets up its maps, filled at
 * once; replaced by maps filled on first use.
 */
const eagerMaps = [
  'exports.extensions = Object.create(null)\n',
  'exports.types = Object.create(null)\n',
  'populateMaps(exports.extensions, exports.types)',
]

const mapsOnFirstUse = (code, file) => {
  if (!eagerMaps.every((line) => code.includes(line))) {
    throw new Error(`${file} no longer sets up its maps as leanDependencies expects: look at it again`)
  }
  const [extensions, types, populate] = eagerMaps
  return code
    .replace(extensions, '')
    .replace(types, '')
    .replace(
      populate,
      `var maps
function builtMaps () {
  if (!maps) {
    maps = { extensions: Object.create(null), types: Object.create(null) }
    populateMaps(maps.extensions, maps.types)
  }
  return maps
}
Object.defineProperty(exports, 'extensions', { enumerable: true, get: function () { return builtMaps().extensions } })
Object.defineProperty(exports, 'types', { enumerable: true, get: function () { return builtMaps().types } })`,
    )
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
  // Maps give stack traces their source lines (see source-mapped-stacks.cjs); the sources themselves are in git.
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
}

/** Run first in every function bundle: stack traces map to source lines, the map read only when a trace is made. */
const sourceMappedStacks = readFileSync(path.join(root, 'scripts/source-mapped-stacks.cjs'), 'utf8')

/**
 * app/deferred.ts requires each module of app/deferred/ on first use. Bundled inline, V8 would still parse
 * it with the rest of the file at every cold start, so each is compiled into a file of its own beside the
 * bundles (dist/<module>.js, such as dynamodb-sdk.js; one for every function, as they share them) and
 * the require points there: the bundle loads it as the source does, with Node's own require. Only packages
 * are in them, never the app's modules (the build fails on a relative import), so no class of the app
 * (HttpError) exists twice.
 */
function deferredApart(outdir, plugins) {
  const built = new Map()
  const packagesOnly = {
    name: 'deferred-packages-only',
    setup(inner) {
      inner.onResolve({ filter: /^\./ }, (args) =>
        /[\\/]app[\\/]deferred[\\/]/.test(args.importer) && args.kind !== 'entry-point'
          ? {
              errors: [
                { text: `${path.relative(root, args.importer)} imports ${args.path}: app/deferred/ modules re-export packages only` },
              ],
            }
          : undefined,
      )
    },
  }
  return {
    name: 'deferred-apart',
    setup(outer) {
      outer.onResolve({ filter: /^\.\/deferred\/[\w-]+$/ }, async (args) => {
        if (!/[\\/]app[\\/]deferred\.ts$/.test(args.importer)) return undefined
        const name = path.basename(args.path)
        if (!built.has(name)) {
          const outfile = path.join(outdir, `${name}.js`)
          const building = build({
            ...bundleOptions,
            entryPoints: [path.join(args.resolveDir, 'deferred', `${name}.ts`)],
            outfile,
            plugins: [packagesOnly, leanDependencies, ...plugins],
          }).then((result) => writeFileSync(outfile.replace(/\.js$/, '.meta.json'), JSON.stringify(result.metafile)))
          built.set(name, building)
        }
        await built.get(name)
        return { path: `./${name}.js`, external: true }
      })
    },
  }
}

async function buildOne(name, outdir, plugins) {
  const outfile = path.join(outdir, `${name}.js`)
  // Mounted apps that are packages of their own are left out, and shipped as files to <name>.files/.
  const mounted = shipMounted({ root, name, outdir })
  const result = await build({
    ...bundleOptions,
    entryPoints: [sourceOf(name)],
    outfile,
    banner: { js: sourceMappedStacks },
    plugins: [leanDependencies, ...plugins, mounted.plugin],
  })
  await mounted.copyFiles()
  writeFileSync(path.join(outdir, `${name}.meta.json`), JSON.stringify(result.metafile))
  const bytes = result.metafile.outputs[path.relative(process.cwd(), outfile)]?.bytes ?? 0
  return { name, outfile, bytes, inputs: topInputs(result.metafile, outfile) }
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
