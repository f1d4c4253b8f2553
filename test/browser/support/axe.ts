import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'

/** axe-core's browser build, from the npm package: nothing is downloaded. */
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

interface AxeResults {
  violations: { id: string; impact: string; help: string; nodes: { target: string[]; failureSummary?: string }[] }[]
}

/**
 * What axe-core finds wrong with the page as it is now against WCAG 2.1 A and AA, as one line per
 * rule and element (empty when clean). axe runs inside the page, evaluated through the DevTools
 * protocol: a `<script>` added to the page would be refused by the SPA's Content-Security-Policy,
 * which the tests keep on.
 * @example expect(await accessibilityProblems(page)).toEqual([])
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) await page.evaluate(axeSource)
  const results = await page.evaluate<AxeResults>(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })`,
  )
  return results.violations.flatMap((rule) =>
    rule.nodes.map((node) => `${rule.id} (${rule.impact}) at ${node.target.join(' ')}: ${node.failureSummary ?? rule.help}`),
  )
}
