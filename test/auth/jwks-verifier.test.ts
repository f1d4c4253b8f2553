import { loadConfig } from '../../app/config'
import { testSecret } from '../helpers/app'

/** Builds a verifier in a fresh module registry and tells whether jwks-rsa was loaded on the way. */
function build(env: Record<string, string>): { loadedJwksRsa: boolean; verifier: unknown } {
  let loadedJwksRsa = false
  let verifier: unknown
  jest.isolateModules(() => {
    jest.doMock('jwks-rsa', () => {
      loadedJwksRsa = true
      return jest.requireActual('jwks-rsa')
    })

    const { createTokenVerifier } = require('../../app/auth/verifier') as typeof import('../../app/auth/verifier')
    verifier = createTokenVerifier(loadConfig(env).jwt, () => new Date())
  })
  return { loadedJwksRsa, verifier }
}

describe('createTokenVerifier', () => {
  it('when JWT_JWKS_URI is unset, then the own-token verifier is built and jwks-rsa is never loaded (cold start)', () => {
    const { loadedJwksRsa, verifier } = build({ JWT_SECRET: testSecret })

    expect(verifier).toEqual(expect.any(Function))
    expect(loadedJwksRsa).toBe(false)
  })

  it('when JWT_JWKS_URI is set, then the JWKS verifier is built with jwks-rsa', () => {
    const { loadedJwksRsa, verifier } = build({
      JWT_JWKS_URI: 'http://127.0.0.1:9/.well-known/jwks.json',
      JWT_ISSUER: 'https://idp.example/',
      JWT_AUDIENCE: 'notes',
    })

    expect(verifier).toEqual(expect.any(Function))
    expect(loadedJwksRsa).toBe(true)
  })
})
