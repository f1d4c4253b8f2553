import { Duplex } from 'node:stream'

/**
 * The two ends of a connection held in memory, for handing one request to Node's own HTTP server and
 * reading its answer with Node's own HTTP client, without a port. Each end is a Duplex whose writes the
 * other end reads, with the backpressure of a socket: a write completes only once the reader has room
 * again, so a reader that stops holds the writer back. Destroying one end closes the other, as a
 * connection reset does, so each side sees the other go away.
 */
export function connectionPair(): [Duplex, Duplex] {
  const ends: Duplex[] = []
  const peer = (end: Duplex) => ends[ends[0] === end ? 1 : 0]
  const waiting = new WeakMap<Duplex, () => void>()
  for (let i = 0; i < 2; i++) {
    const end: Duplex = new Duplex({
      read() {
        const resume = waiting.get(end)
        waiting.delete(end)
        resume?.()
      },
      write(chunk: Buffer, _encoding, done) {
        const reader = peer(end)
        if (reader.destroyed) return done(new Error('the other end of the connection is closed'))
        if (reader.push(chunk)) done()
        else waiting.set(reader, () => done())
      },
      final(done) {
        peer(end).push(null)
        done()
      },
      destroy(error, done) {
        const other = peer(end)
        if (!other.destroyed) other.destroy()
        done(error)
      },
    })
    ends.push(end)
  }
  return [ends[0], ends[1]]
}
