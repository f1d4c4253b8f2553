import type { AddressInfo } from 'node:net'
import dynalite from 'dynalite'

export interface EmbeddedDynamo {
  endpoint: string
  close(): Promise<void>
}

/**
 * Starts dynalite in this process on a free port of 127.0.0.1: a real DynamoDB API, no Java, no Docker.
 * With `path` the data lives in LevelDB files there and survives restarts; without, in memory.
 */
export async function startEmbeddedDynamo(options: { path?: string } = {}): Promise<EmbeddedDynamo> {
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((err?: Error) => (err ? reject(err) : resolve()))),
  }
}
