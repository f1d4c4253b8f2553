import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'

export const root = path.resolve(__dirname, '../..')
export const resultsDir = path.join(root, 'bench-results')
const buildDir = path.join(resultsDir, 'build')

export interface Bundles {
  app: string
  helloExpress: string
  /** The floor: a hand-written handler for `GET /api/notes` with the same libraries (baselines/floor.mjs). */
  floor: string
  rawHandler: string
  /** Another build of the API function to compare with (`--compare <file>`), e.g. one from an older commit. */
  compare?: string
  /** The API function with the members' site (examples/members) mounted at `/`, shipped as files, in a folder outside the project. */
  mounted: string
  /** Another build with the members' site mounted (`--compare-mounted <file>`), e.g. one made the way an older commit built mounts. */
  compareMounted?: string
}

/** app/existing/mounts.ts for the mounted build: the worked example's one line. */
export const membersMounts = `import membersApp from '../../examples/members/app'
import { mount, type MountList } from './mount'

export const mounts: MountList = ({ db, tableName }) => [mount('/', membersApp({ db, tableName }), { auth: 'optional', signInPage: '/login' })]
`

/** dist/lambda.js as `npm run build` makes it, and the hello-world baseline with the same esbuild options. */
export async function buildBundles(compare?: string, compareMounted?: string): Promise<Bundles> {
  const script = await import(pathToFileURL(path.join(root, 'scripts/build-lambda.mjs')).href)
  const { build } = await import('esbuild')
  await script.buildLambdas({ only: 'lambda' })
  // Outside the project, as in /var/task: the shipped app finds only the packages shipped with it.
  const mountedDir = mkdtempSync(path.join(tmpdir(), 'notes-bench-mounted-'))
  const swapMounts = {
    name: 'bench-mounts',
    setup(b: { onLoad: (options: { filter: RegExp }, load: () => object) => void }) {
      b.onLoad({ filter: /[\\/]app[\\/]existing[\\/]mounts\.ts$/ }, () => ({
        contents: membersMounts,
        loader: 'ts',
        resolveDir: path.join(root, 'app/existing'),
      }))
    },
  }
  await script.buildLambdas({ outdir: mountedDir, only: 'lambda', plugins: [swapMounts] })
  const outfile = path.join(buildDir, 'hello-express.js')
  // What a team would ship without trimming anything: the same esbuild options, no plugin.
  const result = await build({ ...script.bundleOptions, entryPoints: [path.join(__dirname, 'baselines/hello-express.mjs')], outfile })
  writeFileSync(path.join(buildDir, 'hello-express.meta.json'), JSON.stringify(result.metafile))
  const floor = path.join(buildDir, 'floor.js')
  await build({ ...script.bundleOptions, entryPoints: [path.join(__dirname, 'baselines/floor.mjs')], outfile: floor })
  return {
    app: path.join(root, 'dist/lambda.js'),
    helloExpress: outfile,
    floor,
    rawHandler: path.join(__dirname, 'baselines/raw-handler.js'),
    compare: compare && path.resolve(compare),
    mounted: path.join(mountedDir, 'lambda.js'),
    compareMounted: compareMounted && path.resolve(compareMounted),
  }
}

/** The code the API function deploys: its bundle and the SDK it loads on the first database call. */
export const appFiles = ['dist/lambda.js', 'dist/dynamodb-sdk.js']

/** Sizes of the deployed code (raw and gzipped, as the zip holds it) and the packages that weigh most in it. */
export function bundleFigures(bundles: Bundles) {
  const size = (files: string[]) => {
    const code = files.map((file) => readFileSync(file))
    return { bytes: code.reduce((sum, c) => sum + c.length, 0), gzipBytes: code.reduce((sum, c) => sum + gzipSync(c).length, 0) }
  }
  const byPackage = new Map<string, number>()
  for (const file of appFiles) {
    const meta = JSON.parse(readFileSync(path.join(root, file.replace(/\.js$/, '.meta.json')), 'utf8')) as {
      outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>
    }
    const output = Object.values(meta.outputs).find((o) => o.entryPoint)!
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? '(the app)'
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput)
    }
  }
  const largest = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([name, bytes]) => ({ name, bytes }))
  const shipped = folderSize(bundles.mounted.replace(/\.js$/, '.files'))
  return { app: size(appFiles.map((file) => path.join(root, file))), helloExpress: size([bundles.helloExpress]), largest, shipped }
}

/** Files and bytes under `dir`: what a mounted app ships beside the bundle. */
function folderSize(dir: string): { files: number; bytes: number } {
  let files = 0
  let bytes = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    files++
    bytes += statSync(path.join(entry.parentPath, entry.name)).size
  }
  return { files, bytes }
}

export type BundleFigures = ReturnType<typeof bundleFigures>
