/**
 * Mounted code ships as it is. An existing app that is a package of its own (a folder with its own
 * package.json, such as `legacy/shop/`, the way it ran under `node index.js`) is not bundled: the
 * bundle `require`s it from `<outdir>/<name>.files/`, where it is copied with its layout, next to
 * its production dependencies (its package.json's `dependencies`, and theirs, copied from where Node
 * finds them, as `npm ci --omit=dev` would lay them out). Node then loads it there exactly as it
 * loads it in `npm run dev`: controllers found with readdirSync and required by computed names,
 * templates and data files in any folder, view engines named by a variable, `__dirname`,
 * `require.resolve`, `module.parent` guards. Nothing of the app's text is changed.
 *
 * What cannot work that way fails the build here, naming the file and line: a module the app
 * requires that its package.json does not list (in /var/task nothing else is installed), a project
 * file outside its package (other than app/existing, whose request helpers a stand-in beside the
 * code reaches), a dependency listed but not installed, a native addon (built for this machine, not
 * for Lambda's). scripts/build-lambda.mjs then loads the function in an empty folder, so what fails
 * as the app loads fails the build too (loadCheck below).
 *
 *   const mounted = shipMounted({ root, name, outdir })
 *   build({ ..., plugins: [..., mounted.plugin] }); await mounted.copyFiles()
 */
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { build } from 'esbuild'

const inNodeModules = /[\\/]node_modules[\\/]/
const typeScript = /\.[cm]?tsx?$/
const javaScript = /\.[cm]?js$/

/**
 * The esbuild plugin that leaves packaged mounted code out of the bundle `name`, and `copyFiles()`,
 * which ships it beside the bundle (after the build) and returns the project folders it shipped.
 * @param {{ root: string, name: string, outdir: string }} options
 */
export function shipMounted({ root, name, outdir }) {
  const filesDir = path.join(outdir, `${name}.files`)
  /** Package folders (absolute) whose code the bundle requires from filesDir, with the files it requires. */
  const packages = new Map()

  const plugin = {
    name: 'ship-mounted',
    setup(outer) {
      outer.onResolve({ filter: /^(\.\.?)?\// }, async (args) => {
        if (args.pluginData?.shipMounted || !args.importer || inNodeModules.test(args.importer)) return undefined
        const resolved = await outer.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { shipMounted: true },
        })
        if (resolved.errors.length > 0 || !resolved.path || typeScript.test(resolved.path)) return undefined
        const pkg = packageOf(root, resolved.path)
        if (!pkg) return undefined
        packages.set(pkg, (packages.get(pkg) ?? new Set()).add(resolved.path))
        return { path: `./${toPosix(path.relative(outdir, path.join(filesDir, path.relative(root, resolved.path))))}`, external: true }
      })
    },
  }

  return {
    plugin,
    /** Copies each package and its dependencies into filesDir, after checking them; returns the packages' folders, relative to root. */
    async copyFiles() {
      rmSync(filesDir, { recursive: true, force: true })
      const shipped = []
      for (const [pkg, entries] of packages) {
        const { bridges } = await checkRequires(root, pkg, [...entries])
        const dependencies = dependencyFolders(root, pkg)
        for (const dir of dependencies) refuseNativeAddons(root, dir)
        copyInto(root, filesDir, pkg, { skipNodeModules: true })
        for (const dir of dependencies) copyInto(root, filesDir, dir)
        for (const bridge of bridges) writeBridge(filesDir, path.relative(root, bridge))
        shipped.push(toPosix(path.relative(root, pkg)))
      }
      return shipped
    },
  }
}

/** The folder of the package `file` belongs to: the nearest folder with a package.json below `root`, outside node_modules. */
function packageOf(root, file) {
  if (inNodeModules.test(file) || !isInside(root, file)) return undefined
  for (let dir = path.dirname(file); dir !== root && isInside(root, dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir
  }
  return undefined
}

/** What `pkg`'s package.json declares it needs at run time, by name, with the line that declares it. */
function declared(pkg) {
  const file = path.join(pkg, 'package.json')
  const text = readFileSync(file, 'utf8')
  const json = JSON.parse(text)
  const names = new Map()
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    for (const dep of Object.keys(json[field] ?? {})) names.set(dep, { field, line: lineOf(text, `"${dep}"`) })
  }
  return { file, names, optional: new Set([...Object.keys(json.optionalDependencies ?? {}), ...optionalPeers(json)]) }
}

function optionalPeers(json) {
  return Object.entries(json.peerDependenciesMeta ?? {})
    .filter(([, meta]) => meta?.optional)
    .map(([dep]) => dep)
}

const lineOf = (text, needle) => text.slice(0, Math.max(0, text.indexOf(needle))).split('\n').length

/**
 * Reads every module the package's files require, from the files the bundle requires and on through
 * what they require by name (as esbuild sees them, so each problem has a file and line; what is
 * required by a computed name is the load check's), and fails on what would not load in the function:
 * a package its package.json does not list, a project file outside it. Requires of app/existing are
 * answered by a stand-in (see writeBridge); returns the files they resolve to.
 */
async function checkRequires(root, pkg, entries) {
  const { names, file: manifest } = declared(pkg)
  const bridges = new Set()
  const existingApi = path.join(root, 'app/existing/index.ts')
  const relativeToRoot = (p) => toPosix(path.relative(root, p))
  const check = {
    name: 'check-requires',
    setup(scan) {
      scan.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined
        const spec = args.path
        if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0])) return { path: spec, external: true }
        if (!/^\.\.?(\/|$)/.test(spec) && !path.isAbsolute(spec)) {
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]
          if (names.has(name)) return { path: spec, external: true }
          return {
            errors: [
              {
                text: `requires "${name}", which ${relativeToRoot(manifest)} does not list in its dependencies: add it there (the function has no other node_modules)`,
              },
            ],
          }
        }
        let target
        try {
          target = createRequire(args.importer).resolve(spec)
        } catch {
          target = resolveProjectFile(path.resolve(args.resolveDir, spec))
          if (!target) return { errors: [{ text: `requires "${spec}", which does not exist` }] }
        }
        if (isInside(pkg, target))
          return javaScript.test(target) || target.endsWith('.json') ? { path: target } : { path: target, external: true }
        if (target === existingApi) {
          bridges.add(target)
          return { path: spec, external: true }
        }
        return {
          errors: [
            {
              text: `requires ${relativeToRoot(target)}, outside its package ${relativeToRoot(pkg)}: only the package ships, so move the file into it (or require app/existing, whose helpers it may use)`,
            },
          ],
        }
      })
    },
  }
  try {
    await build({
      entryPoints: entries,
      bundle: true,
      write: false,
      outdir: path.join(tmpdir(), 'ship-mounted-scan'),
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      logLevel: 'silent',
      plugins: [check],
    })
  } catch (err) {
    throw new Error(explain(root, pkg, err), { cause: err })
  }
  return { bridges }
}

/** A project file as Node would find it by a path without its extension (TypeScript included, as app/existing is). */
function resolveProjectFile(base) {
  for (const candidate of [base, ...['.ts', '.js'].map((ext) => base + ext), ...['index.ts', 'index.js'].map((f) => path.join(base, f))]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  }
  return undefined
}

function explain(root, pkg, err) {
  const errors = err.errors ?? []
  if (errors.length === 0) return err.message
  const lines = errors.map((e) => (e.location ? `  ${e.location.file}:${e.location.line}: ${e.text}` : `  ${e.text}`))
  return [`${toPosix(path.relative(root, pkg))} ships as files beside the bundle, and would not load there:`, ...lines].join('\n')
}

/**
 * The folders of `pkg`'s production dependencies and theirs, each found as Node finds it (the
 * nearest node_modules up from the package that needs it, up to `root`), without the folders
 * already inside another one found (a package's own node_modules travels with it).
 */
function dependencyFolders(root, pkg) {
  const found = new Set()
  const queue = [pkg]
  while (queue.length > 0) {
    const from = queue.shift()
    const { names, file, optional } = declared(from)
    for (const [name, { line }] of names) {
      const dir = installedFolder(root, from, name)
      if (!dir) {
        if (optional.has(name) || names.get(name).field === 'peerDependencies') continue
        throw new Error(
          `${toPosix(path.relative(root, file))}:${line}: "${name}" is a dependency, but it is not installed: npm install (the function ships what node_modules holds)`,
        )
      }
      if (found.has(dir)) continue
      found.add(dir)
      queue.push(dir)
    }
  }
  const folders = [...found]
  return folders.filter((dir) => !folders.some((other) => other !== dir && isInside(other, dir)))
}

function installedFolder(root, from, name) {
  for (let dir = from; isInside(root, dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name)
    if (existsSync(path.join(candidate, 'package.json'))) return candidate
    if (dir === root) break
  }
  return undefined
}

/** A compiled addon was built for this machine: Lambda runs Linux on the architecture serverless.yml names, with its own glibc. */
function refuseNativeAddons(root, dir) {
  const addon = findFile(dir, (name) => name.endsWith('.node'))
  if (addon) {
    throw new Error(
      `${toPosix(path.relative(root, addon))}: ${path.basename(dir)} is a native addon, compiled for this machine (${process.platform}-${process.arch}), not for the function's: use a JavaScript package instead (bcryptjs for bcrypt, for one)`,
    )
  }
}

function findFile(dir, test) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      const found = findFile(full, test)
      if (found) return found
    } else if (test(entry.name)) return full
  }
  return undefined
}

/** What Node never loads from a package: type declarations, source maps, Markdown. */
const neverLoaded = /(\.d\.[cm]?ts|\.map|\.md)$/i

function copyInto(root, filesDir, dir, { skipNodeModules = false } = {}) {
  const to = path.join(filesDir, path.relative(root, dir))
  mkdirSync(path.dirname(to), { recursive: true })
  cpSync(dir, to, {
    recursive: true,
    dereference: true,
    filter: (file) =>
      !(skipNodeModules && path.basename(file) === 'node_modules') &&
      !/[\\/]\.git$/.test(file) &&
      !(inNodeModules.test(file) && neverLoaded.test(file)),
  })
}

/**
 * app/existing beside shipped code: its helpers that take the request first (signIn, signOut,
 * verifyLogin), each reached through the request, on which the mount layer puts the bundle's own
 * (app/existing/mount.ts), so a shipped app and the bundle share one sign-in and one HttpError.
 */
function writeBridge(filesDir, relative) {
  const file = path.join(filesDir, relative.replace(/\.ts$/, '.js'))
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(
    file,
    `// Written by scripts/ship-mounted.mjs: app/existing's request helpers, as the bundle's mount layer puts them on each request.
const key = Symbol.for('notes-serverless/app/existing')
module.exports = new Proxy({}, {
  get(_, name) {
    if (typeof name !== 'string' || name === '__esModule' || name === 'then') return undefined
    return function (req, ...args) {
      const helpers = req && req[key]
      if (!helpers || typeof helpers[name] !== 'function')
        throw new Error(name + '(req, …) of app/existing works in mounted code, on a request of the mount, and only for its request helpers (signIn, signOut, verifyLogin)')
      return helpers[name](req, ...args)
    }
  },
})
`,
  )
}

/**
 * Loads `<outdir>/<name>.js` as Lambda would, in an empty folder that holds only what its zip holds
 * (the bundle, the files beside it and the packages it loads on first use), with a Lambda-like
 * environment, and returns the fields of its `cold start` log line. What fails as the function loads
 * (a module its code cannot find, a file it reads at start) fails here, with the first frame of its
 * stack named as the project's file and line.
 * @param {{ outdir: string, name: string, alongside: string[] }} options  alongside: other files of outdir its zip holds
 */
export function loadCheck({ outdir, name, alongside }) {
  const task = mkdtempSync(path.join(tmpdir(), 'notes-load-check-'))
  try {
    const dist = path.join(task, 'dist')
    mkdirSync(dist)
    for (const file of [`${name}.js`, ...alongside])
      if (existsSync(path.join(outdir, file))) cpSync(path.join(outdir, file), path.join(dist, file))
    if (existsSync(path.join(outdir, `${name}.files`)))
      cpSync(path.join(outdir, `${name}.files`), path.join(dist, `${name}.files`), { recursive: true })
    const run = spawnSync(process.execPath, ['-e', `require('./dist/${name}.js'); process.exit(0)`], {
      cwd: task,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_LAMBDA_FUNCTION_NAME: `build-check-${name}`,
        AWS_REGION: 'us-east-1',
        JWT_SECRET: `build-check-${'x'.repeat(40)}`,
        TABLE_NAME: 'build-check',
        APP_URL: 'https://build-check.example.com',
        MAIL_FROM: 'build-check@example.com',
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      timeout: 60_000,
    })
    if (run.status !== 0) {
      const shipped = path.join(dist, `${name}.files`) + path.sep
      const frame = run.stderr.split('\n').find((line) => /^\s+at /.test(line) && line.includes(shipped))
      const where = frame && /\(?([^()\s]+):(\d+):\d+\)?\s*$/.exec(frame)
      const at = where ? `${toPosix(path.relative(shipped, where[1]))}:${where[2]}: ` : ''
      const message = run.stderr.split('\n').find((line) => /Error\b|^\w*Error:/.test(line)) ?? run.stderr.trim().split('\n').pop()
      throw new Error(
        `dist/${name}.js does not load as Lambda would load it:\n  ${at}${message}\n\n${run.stderr.replaceAll(task, '<task>')}`,
      )
    }
    const coldStart = run.stdout
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line)]
        } catch {
          return []
        }
      })
      .find((line) => line.msg === 'cold start')
    return coldStart ?? {}
  } finally {
    rmSync(task, { recursive: true, force: true })
  }
}

function isInside(dir, file) {
  const rel = path.relative(dir, file)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

const toPosix = (p) => p.split(path.sep).join('/')
