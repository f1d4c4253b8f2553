/** Medians, spreads and interleaving for the bench: small, dependency-free, shared by every section. */

export function median(values: number[]): number {
  return quantile(values, 0.5)
}

/** The q-quantile by linear interpolation between the closest ranks (q = 0.25 is the first quartile). */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  const high = Math.ceil(at)
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low)
}

/** A figure over samples: the median, and the first and third quartiles as its spread. */
export interface Summary {
  median: number
  q1: number
  q3: number
  n: number
}

export function summarize(values: number[]): Summary {
  return { median: median(values), q1: quantile(values, 0.25), q3: quantile(values, 0.75), n: values.length }
}

/**
 * A ratio of two variants measured in the same rounds, taken round by round: its median and middle
 * half. Each round's two sides ran within seconds of each other, so what drifted between rounds
 * (another process loading the machine) cancels out, which a ratio of the two overall medians keeps.
 */
export function pairedRatio(a: number[], b: number[]): Summary {
  return summarize(a.slice(0, b.length).map((value, i) => value / b[i]))
}

/**
 * Runs each variant once per round, in a fresh random order each round, so a machine that slows
 * down or speeds up during the run slows every variant alike instead of whichever ran then.
 */
export async function interleave<T>(variants: Record<string, () => Promise<T>>, rounds: number): Promise<Record<string, T[]>> {
  const samples: Record<string, T[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]))
  for (let i = 0; i < rounds; i++) {
    const order = shuffled(Object.keys(variants))
    for (const name of order) samples[name].push(await variants[name]())
  }
  return samples
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

export function round(value: number, digits = 0): number {
  return Number(value.toFixed(digits))
}
