/**
 * `npm run openapi:types`: writes the SPA's API types (web/src/api/schema.d.ts) from the OpenAPI
 * document the app serves, with openapi-typescript. With `--print` it writes them to stdout instead:
 * test/openapi-types.test.ts compares that with the committed file, so the SPA's types cannot drift.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import openapiTS, { astToString } from 'openapi-typescript'
import { openApiDocument } from '../app/openapi'

const typesFile = path.resolve(__dirname, '../web/src/api/schema.d.ts')
const header = '// Generated from the OpenAPI document (app/openapi.ts) by `npm run openapi:types`. Do not edit.\n\n'

/**
 * The types of the document the app serves when it issues its own tokens (the SPA signs in through
 * /auth). A field with a default stays optional: what a client may leave out, the server fills in.
 */
async function generateApiTypes(): Promise<string> {
  const document = JSON.stringify(openApiDocument({ ownAuth: true }))
  return header + astToString(await openapiTS(document, { defaultNonNullable: false }))
}

void generateApiTypes().then((types) => {
  if (process.argv.includes('--print')) {
    process.stdout.write(types)
  } else {
    writeFileSync(typesFile, types)
    console.log(`wrote ${path.relative(process.cwd(), typesFile)}`)
  }
})
