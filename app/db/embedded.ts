import { readFileSync, rmSync, statSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import dynalite from 'dynalite'
import dynaliteStore from 'dynalite/db'

type Store = ReturnType<typeof dynaliteStore.create>

/** The data folder belongs to another running process. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError'
}

export interface EmbeddedDynamo {
  endpoint: string
  close(): Promise<void>
}

/** Data folders this process has open. LevelDB refuses a second open in one process, and the refused open would release the first one's lock. */
const openHere = new Set<string>()

/**
 * Starts dynalite in this process on a free port of 127.0.0.1: a real DynamoDB API, no Java, no Docker.
 * With `path` the data lives in LevelDB files there and survives restarts; without, in memory.
 *
 * The folder is claimed by LevelDB's own lock (its `LOCK` file, a POSIX record lock on Linux and macOS,
 * LockFileEx on Windows), which the operating system releases when the holder dies, however it dies:
 * a restart right after `kill -9` finds the folder free. While a live process holds it, starting fails
 * with a {@link DataDirInUseError} that names that process where the system says who holds a lock (Linux).
 */
export async function startEmbeddedDynamo(options: { path?: string } = {}): Promise<EmbeddedDynamo> {
  const dir = options.path === undefined ? undefined : path.resolve(options.path)
  if (dir !== undefined) {
    if (openHere.has(dir)) throw new DataDirInUseError(`This process already uses ${dir}`)
    openHere.add(dir)
  }
  const release = () => void (dir !== undefined && openHere.delete(dir))
  try {
    const { server, store } = withStore(() => dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }))
    if (dir !== undefined) await claim(store, dir)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    const { port } = server.address() as AddressInfo
    return {
      endpoint: `http://127.0.0.1:${port}`,
      close: () => new Promise<void>((resolve, reject) => server.close((err?: Error) => (err ? reject(err) : resolve()))).finally(release),
    }
  } catch (err) {
    release()
    throw err
  }
}

/**
 * dynalite opens its LevelDB itself and never says whether that worked: a folder locked by another
 * process leaves it closed, and the first request then crashes the process with "Database is not
 * open". Its store is made by `dynalite/db`'s `create`, which is wrapped for this one call to keep it.
 */
function withStore(start: () => Server): { server: Server; store: Store } {
  const create = dynaliteStore.create
  let store: Store | undefined
  dynaliteStore.create = (options) => (store = create(options))
  try {
    const server = start()
    return { server, store: store! }
  } finally {
    dynaliteStore.create = create
  }
}

/** Waits for LevelDB to open the folder, which takes its lock; a lock held elsewhere becomes a DataDirInUseError. */
async function claim(store: Store, dir: string): Promise<void> {
  try {
    await store.db.open()
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause
    if (cause?.code !== 'LEVEL_LOCKED') throw err
    const holder = lockHolder(path.join(dir, 'LOCK'))
    throw new DataDirInUseError(
      `Another process${holder ? ` (pid ${holder})` : ''} is using ${dir}; stop it first, or point DYNAMODB_ENDPOINT at its database`,
    )
  }
  // Left by versions that claimed the folder with a pid file.
  rmSync(path.join(dir, 'owner.pid'), { force: true })
}

/**
 * The pid holding a POSIX lock on `file`, from /proc/locks (Linux), where a lock is listed as
 * `<n>: POSIX ADVISORY WRITE <pid> <major>:<minor>:<inode> <start> <end>`. Undefined elsewhere (macOS,
 * Windows: `lsof <file>` says who) or when the holder is in another pid namespace. The file is only
 * stat'ed: opening and closing it here would drop this process's own lock on it, were it the holder.
 */
export function lockHolder(file: string): number | undefined {
  try {
    const { ino, dev } = statSync(file)
    const device = `${((dev >> 8) & 0xfff).toString(16).padStart(2, '0')}:${((dev & 0xff) | ((dev >> 12) & 0xfff00)).toString(16).padStart(2, '0')}`
    for (const line of readFileSync('/proc/locks', 'utf8').split('\n')) {
      const [, kind, , , pid, where] = line.trim().split(/\s+/)
      if (kind === 'POSIX' && where === `${device}:${ino}`) return Number(pid) || undefined
    }
  } catch {
    // No /proc/locks, or no LOCK file yet: nobody to name.
  }
  return undefined
}
