import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import dynalite from 'dynalite'

/** The data folder belongs to another running process. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError'
}

export interface EmbeddedDynamo {
  endpoint: string
  close(): Promise<void>
}

/**
 * Starts dynalite in this process on a free port of 127.0.0.1: a real DynamoDB API, no Java, no Docker.
 * With `path` the data lives in LevelDB files there and survives restarts; without, in memory.
 */
export async function startEmbeddedDynamo(options: { path?: string } = {}): Promise<EmbeddedDynamo> {
  const unlock = options.path === undefined ? () => {} : lockDataDir(options.path)
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((err?: Error) => (err ? reject(err) : resolve()))).finally(unlock),
  }
}

/**
 * LevelDB allows one process per folder; a second would fail on its first request with a cryptic
 * "Database is closed". Claim the folder with a pid file first and say plainly who holds it.
 */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true })
  const lockFile = path.join(dir, 'owner.pid')
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' })
  } catch {
    const owner = Number(readFileSync(lockFile, 'utf8'))
    if (isAlive(owner)) {
      throw new DataDirInUseError(
        `Another process (pid ${owner}) is using ${dir}; stop it first, or point DYNAMODB_ENDPOINT at its database`,
      )
    }
    writeFileSync(lockFile, String(process.pid)) // left behind by a process that died
  }
  return () => rmSync(lockFile, { force: true })
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
