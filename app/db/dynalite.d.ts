declare module 'dynalite' {
  import type { Server } from 'node:http'
  interface DynaliteOptions {
    path?: string
    createTableMs?: number
    deleteTableMs?: number
    updateTableMs?: number
    maxItemSizeKb?: number
  }
  export default function dynalite(options?: DynaliteOptions): Server
}

declare module 'dynalite/db' {
  namespace store {
    /** The LevelDB store behind a dynalite server, made by `create` when the server is. */
    interface Store {
      db: { open(): Promise<void> }
    }
  }
  const store: { create: (options: object) => store.Store }
  export = store
}
