/**
 * `npm run offline` only (scripts/offline/run.ts): the functions' environment as serverless.yml gives it,
 * except what CloudFormation resolves on AWS (`{{resolve:ssm:...}}`, `!If`, `!GetAtt`), which
 * serverless-offline would hand over as is, and parameters left empty: those take the value of the same
 * variable in the local environment, or are empty (CHANGES_TOPIC_ARN: no stream runs offline). DYNAMODB_ENDPOINT, the local
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
    const prepare = () => {
      localValues()
      cookiesAsSet()
    }
    this.hooks = { 'before:offline:start': prepare, 'before:offline:start:init': prepare }
  }
}

function local(environment) {
  const out = {}
  for (const [name, value] of Object.entries(environment)) {
    const resolvedOnAws = typeof value !== 'string' || value.includes('{{resolve:')
    // A parameter left empty (MAIL_FROM) takes the local value when there is one.
    const unset = value === '' && process.env[name] !== undefined
    out[name] = resolvedOnAws || unset ? (process.env[name] ?? '') : value
  }
  return out
}

/**
 * serverless-offline 13 hands hapi each Set-Cookie line whole as the cookie's value ("v; Path=/;
 * HttpOnly"), which hapi refuses with a 500. Offline only, the line is split into the value and
 * hapi's options for its attributes, so the browser gets the cookie the function set.
 */
function cookiesAsSet() {
  const { Definitions } = require('@hapi/statehood')
  const format = Definitions.prototype.format
  if (format.splitsAttributes) return
  Definitions.prototype.format = function formatWithAttributes(cookies, context) {
    return format.call(this, [cookies ?? []].flat().map(withAttributes), context)
  }
  Definitions.prototype.format.splitsAttributes = true
}

function withAttributes(cookie) {
  if (typeof cookie.value !== 'string' || !cookie.value.includes(';')) return cookie
  const [value, ...attributes] = cookie.value.split(';').map((part) => part.trim())
  const options = { ...cookie.options, path: null, domain: null, ttl: null, isSecure: false, isHttpOnly: false, isSameSite: false }
  for (const attribute of attributes) {
    const [name, setting = ''] = attribute.split('=')
    const key = name.toLowerCase()
    if (key === 'path') options.path = setting
    else if (key === 'domain') options.domain = setting
    else if (key === 'max-age') options.ttl = Math.max(0, Number(setting) * 1000)
    else if (key === 'expires' && options.ttl === null) options.ttl = Math.max(0, Date.parse(setting) - Date.now())
    else if (key === 'secure') options.isSecure = true
    else if (key === 'httponly') options.isHttpOnly = true
    else if (key === 'samesite') options.isSameSite = setting.charAt(0).toUpperCase() + setting.slice(1).toLowerCase()
  }
  return { ...cookie, value, options }
}

module.exports = OfflineEnvironment
