import type { Request, Response } from 'express'

/**
 * Sends a body whose parts come as they are produced (a table read page by page), so the first bytes
 * leave before the last part exists and memory holds one part, whatever the size of the whole:
 * - Nothing is written before the first part exists, so a failure there is still an ordinary error answer.
 * - A part is written once the one before it has left (the response's `drain`): a slow client holds the
 *   producer back instead of the body piling up in memory.
 * - A client that goes away (`close`) stops the producer: its iterator is returned and nothing more is read.
 * - A HEAD request gets its headers as soon as the first part exists, and no more is read.
 * The caller sets the headers first. A failure after the first part ends the response where it is
 * (Express destroys the connection), as it must: the status is gone already.
 * @example await sendParts(req, res.type('json'), exportJson(pages))
 */
export async function sendParts(req: Request, res: Response, parts: AsyncIterable<string | Uint8Array>): Promise<void> {
  for await (const part of parts) {
    if (res.destroyed || req.method === 'HEAD') break
    // Only `false` asks to wait: a buffering adapter's response answers undefined and never drains.
    if (res.write(part) === false && !(await drained(res))) break
  }
  if (!res.destroyed) res.end()
}

/** Whether the response drained (true) or closed first (false: the client went away). */
function drained(res: Response): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = () => settle(true)
    const onClose = () => settle(false)
    function settle(left: boolean) {
      res.off('drain', onDrain).off('close', onClose)
      resolve(left)
    }
    res.on('drain', onDrain).on('close', onClose)
  })
}
