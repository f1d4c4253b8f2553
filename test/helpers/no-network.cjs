// Preloaded (node --require) into a tool's process: any connection or name lookup beyond loopback is
// refused, and written to the file NO_NETWORK_LOG, so a test can prove the tool stayed offline.
const dns = require('node:dns')
const fs = require('node:fs')
const net = require('node:net')

const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/
const refuse = (what) => {
  fs.appendFileSync(process.env.NO_NETWORK_LOG, `${what}\n`)
  return new Error(`network access refused: ${what}`)
}

const lookup = dns.lookup
dns.lookup = function offlineLookup(host, ...rest) {
  if (!loopback.test(host)) throw refuse(`lookup ${host}`)
  return lookup.call(this, host, ...rest)
}

const connect = net.Socket.prototype.connect
net.Socket.prototype.connect = function offlineConnect(...args) {
  const options = typeof args[0] === 'object' && args[0] !== null ? args[0] : { port: args[0], host: args[1] }
  const host = options.host ?? options.servername ?? 'localhost'
  if (options.path === undefined && !loopback.test(host)) throw refuse(`connect ${host}:${options.port}`)
  return connect.apply(this, args)
}
