// Two tiers. `npm run test:fast` runs the `fast` project: unit and supertest suites against the app
// on an in-process dynalite. `npm test` (and CI) runs both: `slow` holds the suites that build
// bundles or the SPA, package with serverless, drive Chromium, restart the dev server or fuzz.
const slow = [
  '<rootDir>/test/browser/', // Chromium on the built SPA
  '<rootDir>/test/concurrency/', // builds dist/lambda.js and runs hundreds of invocations at once
  '<rootDir>/test/fuzz/', // over 10,000 requests a run
  '<rootDir>/test/dev-server.test.ts', // starts, kills and restarts the dev server
  '<rootDir>/test/lambda-bundle.test.ts', // builds dist/lambda.js
  '<rootDir>/test/lambda-startup.test.ts', // builds dist/lambda.js and cold-starts it
  '<rootDir>/test/existing/bundle.test.ts', // builds the bundle with the example mounted
  '<rootDir>/test/existing/members-browser.test.ts', // Chromium walks the members' site
  '<rootDir>/test/packaging/', // real bundle and SPA builds, npm run offline with Chromium
  '<rootDir>/test/serverless-package.test.ts', // two `serverless package` runs
]

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
  testTimeout: 20000,
}

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 20000,
  projects: [
    { ...common, displayName: 'fast', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', ...slow] },
    { ...common, displayName: 'slow', testMatch: slow.map((path) => (path.endsWith('/') ? `${path}**/*.test.ts` : path)) },
  ],
}
