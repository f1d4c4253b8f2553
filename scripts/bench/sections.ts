import type { Bundles } from './bundles'
import { benchEvents } from './events'
import { coldStart, nodeAlone, warmRun, type ColdSample, type Env, type WarmReport } from './processes'
import { interleave, median, summarize, type Summary } from './stats'

export interface Settings {
  coldRounds: number
  warmRounds: number
  heapRounds: number
  /** Invocations before and during the measurement, for routes without and with a database call. */
  warm: { warmUp: number; measured: number }
  warmWithDatabase: { warmUp: number; measured: number }
}

/** Every sample of a figure, and their summary. */
export interface Figure {
  samples: number[]
  summary: Summary
}

const figure = (samples: number[]): Figure => ({ samples, summary: summarize(samples) })

export const cold = {
  hello: 'hello-world, GET /health',
  health: 'app, GET /health',
  list: 'app, first authenticated GET /api/notes',
  compareHealth: 'compared build, GET /health',
  compareList: 'compared build, first authenticated GET /api/notes',
  mountedHealth: 'members’ site mounted at /, GET /health',
  mountedPage: 'members’ site mounted at /, first GET /login',
  compareMountedHealth: 'compared mounted build, GET /health',
  compareMountedPage: 'compared mounted build, first GET /login',
} as const

export interface ColdFigures {
  wallMs: Figure
  cpuMs?: Figure
  loadMs?: Figure
  firstAnswerMs?: Figure
}

/**
 * Cold starts: each variant once per round, in a fresh process, rounds interleaved. The first list
 * reads the bench's DynamoDB (DYNAMODB_ENDPOINT), so it includes the SDK's first query.
 */
export async function coldStarts(bundles: Bundles, env: Env, token: string, rounds: number): Promise<Record<string, ColdFigures>> {
  const { health, list, page } = benchEvents(token)
  const variants: Record<string, () => Promise<ColdSample>> = {
    'node -e 0': () => nodeAlone(env),
    'raw handler': () => coldStart(bundles.rawHandler, health, env),
    [cold.hello]: () => coldStart(bundles.helloExpress, health, env),
    [cold.health]: () => coldStart(bundles.app, health, env),
    [cold.list]: () => coldStart(bundles.app, list, env),
    [cold.mountedHealth]: () => coldStart(bundles.mounted, health, env),
    [cold.mountedPage]: () => coldStart(bundles.mounted, page, env),
  }
  if (bundles.compare) {
    variants[cold.compareHealth] = () => coldStart(bundles.compare!, health, env)
    variants[cold.compareList] = () => coldStart(bundles.compare!, list, env)
  }
  if (bundles.compareMounted) {
    variants[cold.compareMountedHealth] = () => coldStart(bundles.compareMounted!, health, env)
    variants[cold.compareMountedPage] = () => coldStart(bundles.compareMounted!, page, env)
  }
  const samples = await interleave(variants, rounds)
  return Object.fromEntries(
    Object.entries(samples).map(([name, list]) => {
      const bad = list.find((s) => s.status !== undefined && s.status !== 200)
      if (bad) throw new Error(`cold start of ${name} answered ${bad.status}`)
      const of = (key: 'cpuMs' | 'loadMs' | 'firstAnswerMs') => (list[0][key] === undefined ? undefined : figure(list.map((s) => s[key]!)))
      return [
        name,
        { wallMs: figure(list.map((s) => s.wallMs)), cpuMs: of('cpuMs'), loadMs: of('loadMs'), firstAnswerMs: of('firstAnswerMs') },
      ]
    }),
  )
}

export const warm = {
  hello: 'hello-world, GET /health',
  health: 'app, GET /health',
  me: 'app, authenticated GET /api/me',
  list: 'app, authenticated GET /api/notes (DynamoDB)',
} as const

export interface WarmFigures {
  wallUs: Figure
  waitUs: Figure
  outsideWaitUs: Figure
  cpuUs: Figure
  requestsPerInvocation: number
}

/** Warm cost per invocation: each variant in a fresh process per round, rounds interleaved; medians over the processes. */
export async function warmCosts(bundles: Bundles, env: Env, token: string, settings: Settings): Promise<Record<string, WarmFigures>> {
  const { health, me, list } = benchEvents(token)
  const variants: Record<string, () => Promise<WarmReport>> = {
    [warm.hello]: () => warmRun(bundles.helloExpress, health, env, settings.warm),
    [warm.health]: () => warmRun(bundles.app, health, env, settings.warm),
    [warm.me]: () => warmRun(bundles.app, me, env, settings.warm),
    [warm.list]: () => warmRun(bundles.app, list, env, settings.warmWithDatabase),
  }
  const samples = await interleave(variants, settings.warmRounds)
  return Object.fromEntries(
    Object.entries(samples).map(([name, list]) => {
      if (list.some((s) => s.status !== 200)) throw new Error(`warm ${name} answered ${list.map((s) => s.status).join(', ')}`)
      return [
        name,
        {
          wallUs: figure(list.map((s) => s.wallUs!)),
          waitUs: figure(list.map((s) => s.waitUs!)),
          outsideWaitUs: figure(list.map((s) => s.outsideWaitUs!)),
          cpuUs: figure(list.map((s) => s.cpuUs!)),
          requestsPerInvocation: median(list.map((s) => s.requestsPerInvocation!)),
        },
      ]
    }),
  )
}

export interface HeapFigures {
  after100: number
  after10000: number
  ratio: number
  /** V8's compiled code (its code space), part of the heap used: optimizing more functions grows it, retaining nothing. */
  code100?: number
  code10000?: number
}

/** Heap used after a forced GC, after 100 and after 10,000 authenticated lists in one process: growth would be a leak. */
export async function heapGrowth(bundles: Bundles, env: Env, token: string, rounds: number): Promise<HeapFigures> {
  const { list } = benchEvents(token)
  const reports: WarmReport[] = []
  for (let i = 0; i < rounds; i++) {
    const report = await warmRun(bundles.app, list, { ...env, BENCH_HEAP: '1' }, { warmUp: 0, measured: 0 })
    if (report.status !== 200) throw new Error(`heap run answered ${report.status}`)
    reports.push(report)
  }
  const after100 = median(reports.map((r) => r.heapAfter100!))
  const after10000 = median(reports.map((r) => r.heapAfter10000!))
  const code100 = median(reports.map((r) => r.codeAfter100!))
  const code10000 = median(reports.map((r) => r.codeAfter10000!))
  return { after100, after10000, ratio: after10000 / after100, code100, code10000 }
}
