/**
 * `npm run offline` only (scripts/offline/run.ts): the functions' environment as serverless.yml gives it,
 * except what CloudFormation resolves on AWS (`{{resolve:ssm:...}}`, `!If`, `!GetAtt`), which
 * serverless-offline would hand over as is: those take the value of the same variable in the local
 * environment, or are empty (CHANGES_TOPIC_ARN: no stream runs offline). DYNAMODB_ENDPOINT, the local
 * table, is added when set. Other commands are untouched.
 */
class OfflineEnvironment {
  constructor(serverless) {
    const localValues = () => {
      const { provider, functions } = serverless.service
      provider.environment = local(provider.environment ?? {})
      for (const fn of Object.values(functions ?? {})) {
        fn.environment = local(fn.environment ?? {})
        if (process.env.DYNAMODB_ENDPOINT) fn.environment.DYNAMODB_ENDPOINT = process.env.DYNAMODB_ENDPOINT
      }
    }
    this.hooks = { 'before:offline:start': localValues, 'before:offline:start:init': localValues }
  }
}

function local(environment) {
  const out = {}
  for (const [name, value] of Object.entries(environment)) {
    const resolvedOnAws = typeof value !== 'string' || value.includes('{{resolve:')
    out[name] = resolvedOnAws ? (process.env[name] ?? '') : value
  }
  return out
}

module.exports = OfflineEnvironment
