import type { Bundles } from './bundles'
import { benchEvents, functionUrlEvent, httpApiEvent } from './events'
import { coldStart, exportRun, nodeAlone, warmRun, type ColdSample, type Env, type ExportReport, type WarmReport } from './processes'
import { interleave, median, summarize, type Summary } from './stats'

export interface Settings {
  coldRounds: number
  warmRounds: number
  heapRounds: number
  exportRounds: number
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
  floorList: 'floor, first authenticated GET /api/notes',
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
    [cold.floorList]: () => coldStart(bundles.floor, list, env),
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
  floorList: 'floor, authenticated GET /api/notes (DynamoDB)',
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
    [warm.floorList]: () => warmRun(bundles.floor, list, env, settings.warmWithDatabase),
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

export const exportVariants = {
  streamed: 'streamed: streamHandler behind a function URL',
  buffered: 'buffered: handler behind the HTTP API',
} as const

type ByVariant = Record<keyof typeof exportVariants, Figure>

export interface ExportFigures {
  /** Bytes of the export. */
  bytes: number
  /** The buffered answer's status: 502, the problem that says it is over Lambda's 6 MB. */
  bufferedStatus: number
  firstByteMs: ByVariant
  lastByteMs: ByVariant
  rssGrowth: ByVariant
  heapGrowth: ByVariant
  /** The heap and buffers the function holds at its peak: sampled after forced GCs, in runs of their own. */
  liveGrowth: ByVariant
}

/**
 * A large export (`token`'s user has it; `smallToken`'s a small one, the warm-up), each way once per
 * round in a fresh process, rounds interleaved: when its first byte and its last leave the function, and
 * how far the process grows meanwhile; then each way again, its memory sampled after forced GCs.
 */
export async function exportStreaming(
  bundles: Bundles,
  env: Env,
  token: string,
  smallToken: string,
  rounds: number,
): Promise<ExportFigures> {
  const event = (toEvent: typeof httpApiEvent, bearer: string) => toEvent('GET', '/api/notes/export', { authorization: `Bearer ${bearer}` })
  const variants = (live: boolean): Record<keyof typeof exportVariants, () => Promise<ExportReport>> => ({
    streamed: () => exportRun(bundles.app, 'streamed', event(functionUrlEvent, token), event(functionUrlEvent, smallToken), env, live),
    buffered: () => exportRun(bundles.app, 'buffered', event(httpApiEvent, token), event(httpApiEvent, smallToken), env, live),
  })
  const timed = await interleave(variants(false), rounds)
  const held = await interleave(variants(true), rounds)
  if (timed.streamed.some((s) => s.status !== 200))
    throw new Error(`streamed export answered ${timed.streamed.map((s) => s.status).join(', ')}`)
  const of = (samples: typeof timed, pick: (r: ExportReport) => number): ByVariant => ({
    streamed: figure(samples.streamed.map(pick)),
    buffered: figure(samples.buffered.map(pick)),
  })
  return {
    bytes: median(timed.streamed.map((s) => s.bytes)),
    bufferedStatus: timed.buffered[0].status,
    firstByteMs: of(timed, (r) => r.firstByteMs),
    lastByteMs: of(timed, (r) => r.lastByteMs),
    rssGrowth: of(timed, (r) => r.growth.rss),
    heapGrowth: of(timed, (r) => r.growth.heapAndBuffers),
    liveGrowth: of(held, (r) => r.growth.heapAndBuffers),
  }
}
