/**
 * The packages a cold start does not load: each comes with the first call that needs it.
 *
 * Whatever a cold start loads, V8 parses, and parsing is most of a cold start (docs/BENCHMARKS.md,
 * "Loading"). Measured with `npm run bench`, loading everything at start made a cold `GET /health`
 * cost about 1.4x the hello-world bundle's CPU and the first authenticated list about 1.6x; leaving
 * the AWS SDK for later, 1.15x and 1.5x. Deferring jsonwebtoken and the zod routers as well made
 * `/health` cheaper (0.92x) and the first authenticated list no cheaper (1.58x): that request needs
 * them anyway, so they load at start with the rest of the app. What waits:
 * - the AWS SDK, most of the code, which neither `/health`, a 401 nor `/api/me` needs;
 * - jose, which only seals a mounted app's sessions in their cookie (app/existing/session.ts), and
 *   bcryptjs, which only checks an imported user's old bcrypt hash (app/existing/legacy-passwords.ts):
 *   54 KiB that no request of the app itself runs;
 * - the SES client, which only a password-reset email needs (app/mail/ses.ts).
 *
 * A `require` inside a bundle would not be enough: V8 parses the whole file at start all the same.
 * So the Lambda build compiles each module of app/deferred/ into a file of its own beside the
 * bundle (dist/dynamodb-sdk.js, dist/jose.js, dist/bcryptjs.js, dist/ses-sdk.js; see scripts/build-lambda.mjs), and the
 * requires below load them with Node's own `require`; tests and the dev server require the modules
 * as they are. Those modules re-export packages only, so no class of the app exists twice. A package
 * added here needs its file in the functions' `package.patterns` in serverless.yml
 * (test/serverless-package.test.ts checks).
 */

type DynamoDbSdk = typeof import('./deferred/dynamodb-sdk')
type Jose = typeof import('./deferred/jose')
type Bcrypt = typeof import('./deferred/bcryptjs')
type SesSdk = typeof import('./deferred/ses-sdk')

let sdk: DynamoDbSdk | undefined
let jose: Jose | undefined
let bcrypt: Bcrypt | undefined
let ses: SesSdk | undefined

/** The DynamoDB client and the document commands, with the first database call. */
export function dynamodbSdk(): DynamoDbSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose, explained above
  return (sdk ??= require('./deferred/dynamodb-sdk') as DynamoDbSdk)
}

/** jose's JWE functions, with the first sealed session. */
export function sessionSeal(): Jose {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose, explained above
  return (jose ??= require('./deferred/jose') as Jose)
}

/** bcryptjs, with the first bcrypt hash to check. */
export function bcryptjs(): Bcrypt {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose, explained above
  return (bcrypt ??= require('./deferred/bcryptjs') as Bcrypt)
}

/** The SES client and SendEmail, with the first email sent. */
export function sesSdk(): SesSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose, explained above
  return (ses ??= require('./deferred/ses-sdk') as SesSdk)
}
