/**
 * The dev server's app for the throughput figure: createApp as app/dev.ts builds it, on a free port of
 * 127.0.0.1, with embedded dynalite in this process (in memory) or, with `stub`, the stubbed document
 * client. Sends its port to the parent over IPC.
 */
import type { AddressInfo } from 'node:net'
import { loadConfig } from '../../../app/config'
import { createDocumentClient } from '../../../app/db/client'
import { startEmbeddedDynamo } from '../../../app/db/embedded'
import { ensureTable } from '../../../app/db/table'
import { createApp } from '../../../app/index'
import { createLogger } from '../../../app/logger'
import { stubDocumentClient } from '../entries/stub-db'

async function main(): Promise<void> {
  const config = loadConfig(process.env)
  let db = stubDocumentClient()
  if (process.argv[2] !== 'stub') {
    const embedded = await startEmbeddedDynamo()
    config.dynamodbEndpoint = embedded.endpoint
    db = createDocumentClient(config)
    await ensureTable(db, config.tableName)
  }
  const app = createApp({ config, db, clock: () => new Date(), logger: createLogger() })
  const server = app.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }))
}

void main()
