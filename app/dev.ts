/**
 * The dev server: `npm run dev`. Embedded DynamoDB (data under .data/), the table created when
 * missing, the SPA built when its sources are newer than public/, the API on 127.0.0.1:3000.
 */
import { existsSync } from 'node:fs'
import type { Server } from 'node:http'
import path from 'node:path'
import { createDocumentClient } from './db/client'
import { DataDirInUseError, startEmbeddedDynamo, type EmbeddedDynamo } from './db/embedded'
import { ensureTable } from './db/table'
import { ConfigError, loadConfig, loadDevServerConfig } from './config'
import { mounts } from './existing/mounts'
import { createApp, sitePathsOf, startUpOf } from './index'
import { createLogger } from './logger'
import { createOutboxMailer } from './mail/mailer'
import { spaIsFresh, spaPaths } from './spa-build'

const root = path.resolve(__dirname, '..')
const { publicDir } = spaPaths(root)

async function main(): Promise<void> {
  const logger = createLogger()
  const config = loadConfig(process.env)
  const { port, host, dataDir, outboxDir, appUrl, skipSpaBuild } = loadDevServerConfig(process.env, root)
  config.appUrl = appUrl
  if (config.usingDevSecret) {
    console.warn(
      '\n  WARNING: JWT_SECRET is not set; tokens are signed with the public dev-only secret.\n  Never run like this anywhere but your own machine.\n',
    )
  }
  if (config.cursorKeyFrom === 'dev default' && !config.usingDevSecret) {
    console.warn('\n  WARNING: neither CURSOR_SECRET nor JWT_SECRET is set; cursors are signed with the public dev-only secret.\n')
  }
  logger.info('starting', { cursorKeyFrom: config.cursorKeyFrom })

  let embedded: EmbeddedDynamo | undefined
  if (!config.dynamodbEndpoint) {
    embedded = await startEmbeddedDynamo({ path: dataDir })
    config.dynamodbEndpoint = embedded.endpoint
  }
  const db = createDocumentClient(config)
  await ensureTable(db, config.tableName)
  // Emails (password resets) become files in .data/outbox/, each with a log line holding its links: never sent.
  const mailer = createOutboxMailer({ dir: outboxDir, logger })
  const app = createApp({ config, db, clock: () => new Date(), logger, publicDir, mailer, mounts })
  const { spaBase } = sitePathsOf(app)
  if (!skipSpaBuild) await buildSpaIfNeeded(spaBase)
  await startUpOf(app) // mounted apps' start-up work (mount option `ready`) is done before the first request
  const server = app.listen(port, host, () => {
    console.log(`\n  Notes API on http://${host}:${port}/  (OpenAPI: /openapi.json)`)
    if (spaBase !== '/') console.log(`  The SPA at http://${host}:${port}${spaBase}  (a mount holds /)`)
    console.log(
      embedded
        ? `  Embedded DynamoDB, data in ${path.relative(process.cwd(), dataDir) || dataDir}`
        : `  DynamoDB at ${config.dynamodbEndpoint}`,
    )
    console.log(`  Table "${config.tableName}"`)
    console.log(`  Emails (password resets) go to ${path.relative(process.cwd(), outboxDir) || outboxDir}, never out\n`)
  })
  server.on('error', (err) => {
    console.error(`Could not listen on ${host}:${port}: ${err.message}`)
    process.exit(1)
  })
  shutDownGracefully(server, embedded)
}

/**
 * On SIGINT/SIGTERM (Ctrl-C, or the watcher restarting): stop accepting, let requests in flight
 * finish, then close the database so LevelDB's files are left whole.
 */
function shutDownGracefully(server: Server, embedded?: EmbeddedDynamo): void {
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    const force = setTimeout(() => process.exit(1), 10_000).unref()
    // close() waits for every connection; keep-alive ones go idle after their last response,
    // so sweep them until none is left rather than waiting out their timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 50)
    await new Promise<void>((resolve) => server.close(() => resolve()))
    clearInterval(sweep)
    await embedded?.close()
    clearTimeout(force)
    console.log(`  Stopped (${signal}).`)
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

/** Builds web/ into public/, for the SPA at `base`, when public/ is missing, older than any source file or built for another base. */
async function buildSpaIfNeeded(base: string): Promise<void> {
  const { webDir, viteConfig } = spaPaths(root)
  if (!existsSync(path.join(webDir, 'index.html')) || spaIsFresh(root, base)) return
  console.log(`  Building the SPA into public/ (at ${base}) ...`)
  const { build } = await import('vite')
  await build({ configFile: viteConfig, logLevel: 'warn', base })
}

main().catch((err) => {
  const known = err instanceof ConfigError || err instanceof DataDirInUseError
  console.error(known ? `Cannot start: ${err.message}` : err)
  process.exit(1)
})
