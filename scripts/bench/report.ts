import type { BundleFigures } from './bundles'
import {
  cold,
  exportVariants,
  warm,
  type ColdFigures,
  type ExportFigures,
  type Figure,
  type HeapFigures,
  type WarmFigures,
} from './sections'
import { pairedRatio, round, type Summary } from './stats'

export interface Results {
  cold: Record<string, ColdFigures>
  warm: Record<string, WarmFigures>
  bundle: BundleFigures
  heap: HeapFigures
  calls: Record<string, string>
  /** Absent from runs before the export was measured. */
  export?: ExportFigures
}

export interface Row {
  figure: string
  variant: string
  value: string
  /**
   * Against the hello-world bundle's `GET /health` in the same run; the list's also against the floor, a
   * hand-written handler for the same route (the export: against the buffered handler).
   */
  ratio?: string
  goal?: string
}

/** `median [q1–q3]`: the median and, in brackets, the middle half of the samples. */
const spread = (s: Summary, digits: number) => `${round(s.median, digits)} [${round(s.q1, digits)}–${round(s.q3, digits)}]`
const ratioText = (s: Summary) => `${s.median.toFixed(2)}x [${s.q1.toFixed(2)}–${s.q3.toFixed(2)}]`
const ratio = (a: Figure, b: Figure) => ratioText(pairedRatio(a.samples, b.samples))

/** The rows of the table, in the order docs/BENCHMARKS.md explains them. */
export function table(r: Results): Row[] {
  const rows: Row[] = []
  const coldHello = r.cold[cold.hello]
  const coldFloor = r.cold[cold.floorList] as ColdFigures | undefined
  const coldGoals: Record<string, string> = { [cold.health]: '≤ 1.10x hello-world', [cold.list]: '≤ 1.00x the floor' }
  for (const [variant, { wallMs, cpuMs, loadMs, firstAnswerMs }] of Object.entries(r.cold)) {
    const parts = [`wall ${spread(wallMs.summary, 1)}`]
    if (cpuMs) parts.push(`CPU ${spread(cpuMs.summary, 1)}`)
    if (loadMs && firstAnswerMs)
      parts.push(`load ${round(loadMs.summary.median, 1)}, first invoke ${round(firstAnswerMs.summary.median, 1)}`)
    const row: Row = { figure: 'cold start, ms', variant, value: parts.join('; ') }
    if (variant !== cold.hello && cpuMs && coldHello.cpuMs && !['raw handler'].includes(variant)) {
      row.ratio = `wall ${ratio(wallMs, coldHello.wallMs)}; CPU ${ratio(cpuMs, coldHello.cpuMs)}`
      if (variant === cold.list && coldFloor?.cpuMs)
        row.ratio += `; to the floor: wall ${ratio(wallMs, coldFloor.wallMs)}; CPU ${ratio(cpuMs, coldFloor.cpuMs)}`
    }
    row.goal = coldGoals[variant]
    rows.push(row)
  }

  const warmHello = r.warm[warm.hello].wallUs
  const warmGoals: Record<string, string> = { [warm.me]: '≤ 1.30x hello-world' }
  const warmHelloCpu = r.warm[warm.hello].cpuUs
  for (const [variant, figures] of Object.entries(r.warm)) {
    rows.push({
      figure: 'warm, µs per invocation',
      variant,
      value: `wall ${spread(figures.wallUs.summary, 1)}; CPU ${spread(figures.cpuUs.summary, 1)}`,
      ratio: variant === warm.hello ? undefined : `wall ${ratio(figures.wallUs, warmHello)}; CPU ${ratio(figures.cpuUs, warmHelloCpu)}`,
      goal: warmGoals[variant],
    })
  }
  const list = r.warm[warm.list]
  const floor = r.warm[warm.floorList] as WarmFigures | undefined
  rows.push({
    figure: 'warm, µs per invocation',
    variant: `${warm.list}: waiting for DynamoDB (${list.requestsPerInvocation} request per invocation)`,
    value: spread(list.waitUs.summary, 1),
  })
  if (floor)
    rows.push({
      figure: 'warm, µs per invocation',
      variant: `${warm.floorList}: outside the DynamoDB wait`,
      value: spread(floor.outsideWaitUs.summary, 1),
      ratio: ratio(floor.outsideWaitUs, warmHello),
    })
  rows.push({
    figure: 'warm, µs per invocation',
    variant: `${warm.list}: outside the DynamoDB wait`,
    value: spread(list.outsideWaitUs.summary, 1),
    ratio: `${ratio(list.outsideWaitUs, warmHello)}${floor ? `; to the floor: ${ratio(list.outsideWaitUs, floor.outsideWaitUs)}` : ''}`,
    goal: '≤ 1.20x the floor',
  })

  const kib = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en')} KiB`
  const { app, helloExpress, largest } = r.bundle
  rows.push({
    figure: 'bundle',
    variant: 'dist/lambda.js + dist/dynamodb-sdk.js, raw / gzip',
    value: `${kib(app.bytes)} / ${kib(app.gzipBytes)}`,
    ratio: `${(app.bytes / helloExpress.bytes).toFixed(2)}x`,
    goal: '< 1,000 KiB',
  })
  rows.push({ figure: 'bundle', variant: 'hello-world, raw / gzip', value: `${kib(helloExpress.bytes)} / ${kib(helloExpress.gzipBytes)}` })
  rows.push({
    figure: 'bundle',
    variant: 'largest inputs',
    value: largest.map((p) => `${p.name} ${kib(p.bytes)}`).join(', '),
  })
  if (r.bundle.shipped)
    rows.push({
      figure: 'bundle',
      variant: 'the members’ site shipped as files beside it (lambda.files/: the app and its dependencies)',
      value: `${r.bundle.shipped.files.toLocaleString('en')} files, ${kib(r.bundle.shipped.bytes)}`,
    })

  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`
  rows.push({
    figure: 'heap used after GC',
    variant: 'app, authenticated GET /api/notes: after 100 / after 10,000',
    value: `${mb(r.heap.after100)} / ${mb(r.heap.after10000)}`,
    ratio: `${r.heap.ratio.toFixed(3)}x`,
    goal: '≤ 1.10x',
  })
  const { code100, code10000 } = r.heap
  if (code100 !== undefined && code10000 !== undefined) {
    rows.push({
      figure: 'heap used after GC',
      variant: 'of which V8’s compiled code (code space): after 100 / after 10,000',
      value: `${mb(code100)} / ${mb(code10000)}`,
    })
    rows.push({
      figure: 'heap used after GC',
      variant: 'the rest (objects): after 100 / after 10,000',
      value: `${mb(r.heap.after100 - code100)} / ${mb(r.heap.after10000 - code10000)}`,
      ratio: `${((r.heap.after10000 - code10000) / (r.heap.after100 - code100)).toFixed(3)}x`,
    })
  }
  if (r.export) rows.push(...exportRows(r.export))
  for (const [route, counted] of Object.entries(r.calls)) rows.push({ figure: 'DynamoDB calls', variant: route, value: counted })
  return rows
}

/** The export, streamed against buffered: when its bytes leave, how far the process grows. */
function exportRows(e: ExportFigures): Row[] {
  const size = `${(e.bytes / 1e6).toFixed(0)} MB`
  const mb = (s: Summary) => `${round(s.median / 1e6, 1)} [${round(s.q1 / 1e6, 1)}–${round(s.q3 / 1e6, 1)}]`
  const { streamed, buffered } = exportVariants
  return [
    {
      figure: `export of ${size}, ms`,
      variant: `${streamed}: first byte`,
      value: spread(e.firstByteMs.streamed.summary, 1),
      ratio: `to buffered’s answer: ${ratio(e.firstByteMs.streamed, e.firstByteMs.buffered)}`,
    },
    { figure: `export of ${size}, ms`, variant: `${streamed}: last byte`, value: spread(e.lastByteMs.streamed.summary, 1) },
    {
      figure: `export of ${size}, ms`,
      variant: `${buffered}: its answer (${e.bufferedStatus}${e.bufferedStatus === 502 ? ', over Lambda’s 6 MB' : ''})`,
      value: spread(e.firstByteMs.buffered.summary, 1),
    },
    {
      figure: `export of ${size}, peak growth, MB`,
      variant: `${streamed}: RSS; heap + buffers`,
      value: `${mb(e.rssGrowth.streamed.summary)}; ${mb(e.heapGrowth.streamed.summary)}`,
      ratio: `to buffered: RSS ${ratio(e.rssGrowth.streamed, e.rssGrowth.buffered)}`,
    },
    {
      figure: `export of ${size}, peak growth, MB`,
      variant: `${buffered}: RSS; heap + buffers`,
      value: `${mb(e.rssGrowth.buffered.summary)}; ${mb(e.heapGrowth.buffered.summary)}`,
    },
    {
      figure: `export of ${size}, peak growth, MB`,
      variant: `${streamed}: held (heap + buffers, after a GC every 50 ms)`,
      value: mb(e.liveGrowth.streamed.summary),
      ratio: `to buffered: ${ratio(e.liveGrowth.streamed, e.liveGrowth.buffered)}`,
    },
    {
      figure: `export of ${size}, peak growth, MB`,
      variant: `${buffered}: held (heap + buffers, after a GC every 50 ms)`,
      value: mb(e.liveGrowth.buffered.summary),
    },
  ]
}

export function toMarkdown(rows: Row[]): string {
  const escape = (text = '') => text.replace(/\|/g, '\\|')
  const lines = [
    '| figure | variant | median [middle half] | ratio to hello-world (the list also to the floor; the export to buffered), round by round: median [middle half] | goal |',
    '|---|---|---|---|---|',
  ]
  for (const row of rows)
    lines.push(`| ${row.figure} | ${escape(row.variant)} | ${escape(row.value)} | ${escape(row.ratio)} | ${escape(row.goal)} |`)
  return lines.join('\n')
}
