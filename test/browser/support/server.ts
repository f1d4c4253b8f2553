import type { Server } from 'node:http'
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
 * free port of 127.0.0.1, as the dev server does on 3000.
 */
export async function startSpaServer(options: SpaServerOptions = {}): Promise<SpaServer> {
  await ensureSpaBuilt()
  const deps = options.realClock ? { publicDir, clock: () => new Date() } : { publicDir }
  const testApp = await createTestApp({ env: options.env, deps })
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = testApp.app.listen(0, '127.0.0.1', () => resolve(listening))
    listening.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    testApp,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await testApp.close()
    },
  }
}
