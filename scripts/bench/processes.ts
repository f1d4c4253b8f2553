import { fork, spawn } from 'node:child_process'
import path from 'node:path'

export type Env = Record<string, string>

/** What a cold-start worker reports, plus the wall time from spawn to exit measured here. */
export interface ColdSample {
  wallMs: number
  loadMs?: number
  firstAnswerMs?: number
  cpuMs?: number
  status?: number
}

/** What a warm worker reports (workers/warm.cjs). */
export interface WarmReport {
  status: number
  wallUs?: number
  waitUs?: number
  outsideWaitUs?: number
  requestsPerInvocation?: number
  cpuUs?: number
  heapAfter100?: number
  heapAfter10000?: number
  codeAfter100?: number
  codeAfter10000?: number
}

/** One fresh process that loads `bundle`, answers `event` once and exits (workers/cold-start.cjs). */
export function coldStart(bundle: string, event: object, env: Env, execArgv: string[] = []): Promise<ColdSample> {
  const started = performance.now()
  return runWorker<ColdSample>('cold-start.cjs', [bundle], { ...env, BENCH_EVENT: JSON.stringify(event) }, execArgv).then((report) => ({
    ...report,
    wallMs: performance.now() - started,
  }))
}

/** Node alone: `node -e 0`, spawn to exit. */
export function nodeAlone(env: Env): Promise<ColdSample> {
  const started = performance.now()
  const child = spawn(process.execPath, ['-e', '0'], { env, stdio: 'ignore' })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', () => resolve({ wallMs: performance.now() - started }))
  })
}

/** One fresh process answering `event` many times (workers/warm.cjs). */
export function warmRun(bundle: string, event: object, env: Env, counts: { warmUp: number; measured: number }, execArgv: string[] = []) {
  const args = [bundle, String(counts.warmUp), String(counts.measured)]
  return runWorker<WarmReport>('warm.cjs', args, { ...env, BENCH_EVENT: JSON.stringify(event) }, ['--expose-gc', ...execArgv])
}

/** What an export worker reports (workers/export.cjs). */
export interface ExportReport {
  status: number
  firstByteMs: number
  lastByteMs: number
  bytes: number
  /** Peak growth over the baseline, in bytes. */
  growth: { rss: number; heapAndBuffers: number }
}

/**
 * One fresh process answering a small export, then `event` (a large one) once, `streamed` or `buffered`;
 * with `live`, its memory sampled after forced GCs (workers/export.cjs).
 */
export function exportRun(bundle: string, mode: 'streamed' | 'buffered', event: object, warmUp: object, env: Env, live = false) {
  const args = [bundle, mode, ...(live ? ['live'] : [])]
  const workerEnv = { ...env, BENCH_EVENT: JSON.stringify(event), BENCH_WARM_UP: JSON.stringify(warmUp) }
  return runWorker<ExportReport>('export.cjs', args, workerEnv, ['--expose-gc'])
}

function runWorker<T>(worker: string, args: string[], env: Env, execArgv: string[]): Promise<T> {
  const child = fork(path.join(__dirname, 'workers', worker), args, {
    execArgv,
    env,
    // The app's access log goes nowhere: written, as on Lambda, but not kept.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    let report: T | undefined
    child.on('message', (message) => void (report = message as T))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 && report ? resolve(report) : reject(new Error(`${worker} ${args[0]} exited with ${code}`))))
  })
}
