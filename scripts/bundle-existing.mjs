/**
 * What a bundle needs so that existing Express apps (app/existing/mounts.ts) run from it exactly as in
 * `npm run dev`, for what esbuild cannot see by itself:
 *
 * - View engines. Express loads an engine with `require(ext)` the first time it renders a view of that
 *   extension; esbuild leaves that call alone, and in /var/task there is no node_modules to find it in.
 *   Each engine a bundled file names (`app.set('view engine', 'ejs')`, `res.render('page.pug')`) is
 *   resolved at build time and put in the bundle, and Express's view.js asks the bundle for it.
 * - `__dirname` and `__filename`. esbuild leaves them as the bundle's own. In a project file they are
 *   set to the file's place in `<outdir>/<name>.files/`, and every file or folder the file names
 *   relative to `__dirname` (`path.join(__dirname, 'views')`, `__dirname + '/public'`) is copied there
 *   with its layout: views, static assets and anything else read at run time mean the same as in dev.
 * - `if (!module.parent) app.listen(3000)`: bundled modules have no parent, so a project file that
 *   reads `module.parent` is given one and the guard does not start a server. (`require.main === module`
 *   is false in a bundle already.)
 * - `require(someVariable)`, as in controllers loaded from a `readdirSync` listing: nothing but the
 *   bundle and its files reaches /var/task, so such a require fails the build, naming the file and line
 *   and saying what to write instead. (`require('./controllers/' + file)` works: esbuild bundles every
 *   file of that folder, and the folder's listing is copied for readdirSync.)
 *
 * Only project files (outside node_modules) are changed. scripts/build-lambda.mjs uses it per bundle:
 *   const existing = await existingApps({ root, entry, name, outdir, plugins })
 *   build({ ..., plugins: [..., existing.plugin] }); existing.copyFiles()
 */
import { cpSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { build } from 'esbuild'

const sourceFile = /\.(m?[jt]s|cjs|[jt]sx)$/
const inNodeModules = /[\\/]node_modules[\\/]/
const literal = String.raw`(?:'[^'\n]*'|"[^"\n]*"|\`[^\`$\n]*\`)`
/** `path.join(__dirname, 'a', 'b')`, `path.resolve(__dirname, '../views')`: the literal segments after `__dirname`. */
const joined = new RegExp(String.raw`\b(?:join|resolve)\(\s*__dirname\s*((?:,\s*${literal}\s*)+)`, 'g')
/** `__dirname + '/views'` */
const concatenated = new RegExp(String.raw`\b__dirname\s*\+\s*(${literal})`, 'g')
/** `${__dirname}/views` in a template literal */
const templated = /\$\{\s*__dirname\s*\}([^`$\n]*)/g
const viewEngineSetting = new RegExp(String.raw`['"]view engine['"]\s*,\s*(${literal})`, 'g')
const renderWithExtension = /\brender\(\s*['"`][^'"`\n]*\.(\w+)['"`]/g
const engineRegistration = new RegExp(String.raw`\.engine\(\s*(${literal})`, 'g')

const unquote = (text) => text.trim().slice(1, -1)

/**
 * Looks at the project files `entry` bundles (a quick build that leaves packages out) and returns the
 * plugin for the real build, and `copyFiles()` to run after it.
 * @param {{ root: string, entry: string, name: string, outdir: string, plugins?: import('esbuild').Plugin[] }} options
 *   `plugins` are the caller's, so that the files they swap in are the ones looked at.
 */
export async function existingApps({ root, entry, name, outdir, plugins = [] }) {
  const filesDir = path.join(outdir, `${name}.files`)
  const projectFiles = await bundledProjectFiles(entry, plugins)
  const engines = viewEngines(root, projectFiles)
  const copies = new Map() // source path -> path in filesDir

  const plugin = {
    name: 'existing-apps',
    setup(outer) {
      // Express's view.js (4 and 5): `require(mod)` becomes a lookup among the engines resolved above.
      outer.onLoad({ filter: /[\\/]node_modules[\\/][^\\/]+[\\/]lib[\\/]view\.js$/ }, (args) => {
        const code = readFileSync(args.path, 'utf8')
        if (!code.includes('require(mod).__express')) return undefined
        return {
          loader: 'js',
          contents: code.replace('require(mod).__express', 'bundledViewEngine(mod).__express') + engineLookup(engines),
        }
      })
      outer.onResolve({ filter: /^existing-apps:files-dir$/ }, () => ({ path: 'files-dir', namespace: 'existing-apps' }))
      // A module of its own, so `__dirname` here is the bundle's, whatever the project file around it declares.
      outer.onLoad({ filter: /.*/, namespace: 'existing-apps' }, () => ({
        loader: 'js',
        contents: `const path = require('node:path')\nmodule.exports = (relative) => path.join(__dirname, ${JSON.stringify(`${name}.files`)}, relative)`,
      }))
      outer.onLoad({ filter: sourceFile }, (args) => {
        if (inNodeModules.test(args.path) || !isInside(root, args.path)) return undefined
        const code = readFileSync(args.path, 'utf8')
        const usesDirname = /\b__(dirname|filename)\b/.test(code)
        const readsParent = /\bmodule\.parent\b/.test(code)
        if (!usesDirname && !readsParent) return undefined
        const relative = toPosix(path.relative(root, args.path))
        for (const target of dirnameTargets(code, path.dirname(args.path), root, relative))
          copies.set(target, path.join(filesDir, path.relative(root, target)))
        const prologue = []
        if (usesDirname)
          prologue.push(
            `var __filesDir = require('existing-apps:files-dir');`,
            `var __dirname = __filesDir(${JSON.stringify(path.posix.dirname(relative))});`,
            `var __filename = __filesDir(${JSON.stringify(relative)});`,
          )
        // Bundled modules have no parent: `if (!module.parent) app.listen()` would start a server in the function.
        if (readsParent) prologue.push(`if (typeof module === 'object' && !module.parent) module.parent = { id: '<bundle>' };`)
        return { loader: loaderOf(args.path), contents: `${prologue.join(' ')}${code}` }
      })
    },
  }

  return {
    plugin,
    engines: [...engines.keys()],
    /** Copies what the project files name relative to `__dirname` into `<outdir>/<name>.files/`; returns the paths copied. */
    copyFiles() {
      rmSync(filesDir, { recursive: true, force: true })
      for (const [from, to] of copies) cpSync(from, to, { recursive: true, filter: (file) => !/[\\/]node_modules$/.test(file) })
      return [...copies.values()]
    },
  }
}

/** The project files `entry` bundles, found with packages left out; a `require` of a computed path fails here. */
async function bundledProjectFiles(entry, plugins) {
  const packagesOut = {
    name: 'packages-out',
    setup(scan) {
      scan.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === 'entry-point' ? undefined : { path: args.path, external: true }))
    },
  }
  let result
  try {
    result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      logLevel: 'silent',
      logOverride: { 'unsupported-require-call': 'error', 'unsupported-dynamic-import': 'error' },
      plugins: [...plugins, packagesOut],
    })
  } catch (err) {
    throw new Error(explainDynamicRequires(err), { cause: err })
  }
  return Object.keys(result.metafile.inputs)
    .filter((input) => !input.includes(':') && !inNodeModules.test(input))
    .map((input) => path.resolve(input))
    .filter((file) => existsSync(file))
}

function explainDynamicRequires(err) {
  const errors = err.errors ?? []
  if (!errors.some((e) => e.id === 'unsupported-require-call' || e.id === 'unsupported-dynamic-import')) return err.message
  const lines = errors.map((e) => (e.location ? `  ${e.location.file}:${e.location.line}: ${e.location.lineText.trim()}` : `  ${e.text}`))
  return [
    'A bundled file requires a module by a name computed at run time, which esbuild cannot put in the bundle,',
    'and the function has no source files or node_modules beside it:',
    ...lines,
    'Require each module by its literal name, or keep a literal folder in front so esbuild bundles the whole',
    "folder: require('./controllers/' + file) instead of require(path.join(dir, file)). See docs/MIGRATING.md.",
  ].join('\n')
}

/**
 * The view engines the project files name, each resolved from the file that names it: a map of the
 * extension to the engine's entry file. An engine named but not installed fails the build here, not a page.
 */
function viewEngines(root, files) {
  const engines = new Map()
  const sources = files.map((file) => [file, readFileSync(file, 'utf8')])
  // Registered with app.engine(): Express never requires those.
  const registered = new Set(
    sources.flatMap(([, code]) => [...code.matchAll(engineRegistration)].map((m) => unquote(m[1]).replace(/^\./, ''))),
  )
  for (const [file, code] of sources) {
    const names = [
      ...[...code.matchAll(viewEngineSetting)].map((m) => unquote(m[1]).replace(/^\./, '')),
      ...[...code.matchAll(renderWithExtension)].map((m) => m[1]),
    ]
    for (const ext of names) {
      if (engines.has(ext) || registered.has(ext) || ['html', 'htm', 'js', 'json', 'txt'].includes(ext)) continue
      let resolved
      try {
        resolved = createRequire(file).resolve(ext)
      } catch {
        throw new Error(
          `${path.relative(root, file)} renders ${ext} views, but the package "${ext}" is not installed: npm install ${ext} (or register the engine with app.engine('${ext}', ...))`,
        )
      }
      engines.set(ext, resolved)
    }
  }
  return engines
}

/** Appended to Express's view.js: what `require(mod)` found in node_modules, from the bundle. */
function engineLookup(engines) {
  const cases = [...engines].map(([ext, file]) => `    case ${JSON.stringify(ext)}: return require(${JSON.stringify(file)})`)
  return `
function bundledViewEngine(mod) {
  switch (mod) {
${cases.join('\n')}
    default: {
      const err = new Error('No view engine "' + mod + '" in this bundle: no bundled file sets it as the view engine (app.set("view engine", "' + mod + '")) or renders a view named with it. Set it, or register it with app.engine().')
      err.code = 'MODULE_NOT_FOUND'
      throw err
    }
  }
}
`
}

/** Files and folders the code names relative to its `__dirname`, that exist and lie inside the project. */
function dirnameTargets(code, dir, root, relative) {
  const found = new Set()
  const add = (segments) => {
    const target = path.resolve(dir, ...segments.map((s) => s.replace(/^\//, '')))
    if (!existsSync(target) || target === dir) return
    if (!isInside(root, target) || target === root)
      throw new Error(
        `${relative} reads ${path.relative(dir, target)} relative to __dirname, which is outside the project: move it inside.`,
      )
    if (statSync(target).isDirectory() && existsSync(path.join(target, 'node_modules')))
      throw new Error(
        `${relative} reads the folder ${path.relative(root, target)}, which holds node_modules: name the folders it needs (views, public) instead.`,
      )
    found.add(target)
  }
  for (const m of code.matchAll(joined)) add([...m[1].matchAll(new RegExp(literal, 'g'))].map((s) => unquote(s[0])))
  for (const m of code.matchAll(concatenated)) add([unquote(m[1])])
  for (const m of code.matchAll(templated)) add([m[1]])
  return found
}

function isInside(dir, file) {
  const rel = path.relative(dir, file)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

const toPosix = (p) => p.split(path.sep).join('/')

function loaderOf(file) {
  const ext = path.extname(file).slice(1)
  if (ext === 'mts' || ext === 'cts') return 'ts'
  if (ext === 'mjs' || ext === 'cjs') return 'js'
  return ext
}
