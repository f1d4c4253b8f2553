import { generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import jwt, { type SignOptions } from 'jsonwebtoken'

/** A key pair as an identity provider holds it: the private half signs, the public half is published. */
export interface SigningKey {
  kid: string
  alg: 'RS256' | 'ES256'
  privateKey: KeyObject
  jwk: JsonWebKey
}

/** Makes an RS256 (RSA 2048) or ES256 (P-256) signing key with a fresh `kid`. */
export function generateSigningKey(alg: SigningKey['alg'] = 'RS256', kid = `key-${randomUUID()}`): SigningKey {
  const { privateKey, publicKey } =
    alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { kid, alg, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } }
}

/**
 * Signs a token as an IdP would: `sub`, `exp` and `iat` by default, `kid` in the header. Claims set to
 * `undefined` are left out; `iss` and `aud` go in claims, so a test states exactly what the token says.
 */
export function signIdpToken(key: SigningKey, claims: Record<string, unknown> = {}, options: SignOptions = {}): string {
  const now = Math.floor(Date.now() / 1000)
  const payload: Record<string, unknown> = { sub: 'idp-user-1', iat: now, exp: now + 600, ...claims }
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name]
  return jwt.sign(payload, key.privateKey, { algorithm: key.alg, keyid: key.kid, ...options })
}

export interface JwksServer {
  /** The JWKS URL, on 127.0.0.1 and a free port. */
  uri: string
  /** How many times the JWKS was asked for, whatever was answered. */
  fetches: number
  /** The keys published now; change it to rotate. */
  keys: SigningKey[]
  /** Answer every request with this status instead of the JWKS (`undefined`: answer normally). */
  failWith?: number
  /** Answer every request with 200 and this body instead of the JWKS (`undefined`: answer normally). */
  body?: string
  /** Stop listening and drop open connections, so fetches are refused. */
  stop(): Promise<void>
}

/**
 * Serves a JWKS of `keys` (public halves only) at `/.well-known/jwks.json`, counting requests.
 * @example const idp = await startJwksServer([key]); afterAll(() => idp.stop())
 */
export async function startJwksServer(keys: SigningKey[]): Promise<JwksServer> {
  const server: Server = createServer(function jwks(_req, res) {
    jwksServer.fetches++
    if (jwksServer.failWith !== undefined) {
      res.writeHead(jwksServer.failWith, { 'Content-Type': 'text/plain' }).end('unavailable')
      return
    }
    const body = jwksServer.body ?? JSON.stringify({ keys: jwksServer.keys.map((key) => key.jwk) })
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  const jwksServer: JwksServer = {
    uri: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: 0,
    keys,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return jwksServer
}
