import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createTestApp, type TestApp } from '../../helpers/app'
import { ensureSpaBuilt, publicDir } from './spa-build'

export interface SpaServer {
  /** Where the page is served, e.g. `http://127.0.0.1:41234`. */
  url: string
  /** The app behind it: its clock can be moved to expire tokens. */
  testApp: TestApp
  close(): Promise<void>
}

export interface SpaServerOptions {
  env?: Record<string, string>
  /**
   * The app on the wall clock instead of the test clock (which only moves when told): for tests
   * where tokens must really lapse while the browser waits, as they do for a person.
   */
  realClock?: boolean
}

/**
 * The real app (in-memory DynamoDB of its own) serving the built SPA from public/, listening on a
 * free port of 127.0.0.1, as the dev server does on 3000. Its emails go to its outbox
 * (`testApp.outbox()`), with links to this server (APP_URL).
 */
export async function startSpaServer(options: SpaServerOptions = {}): Promise<SpaServer> {
  await ensureSpaBuilt()
  const deps = options.realClock ? { publicDir, clock: () => new Date() } : { publicDir }
  // Listening first: the app's APP_URL is this server's own address.
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = createServer().listen(0, '127.0.0.1', () => resolve(listening))
    listening.once('error', reject)
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const testApp = await createTestApp({ env: { APP_URL: url, ...options.env }, deps })
  server.on('request', testApp.app)
  return {
    url,
    testApp,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await testApp.close()
    },
  }
}
