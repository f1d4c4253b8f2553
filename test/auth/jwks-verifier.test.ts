import { loadConfig } from '../../app/config'
import { createTokenVerifier } from '../../app/auth/verifier'
import { testSecret } from '../helpers/app'
import { signToken } from '../helpers/tokens'

const config = loadConfig({ JWT_SECRET: testSecret })
const ownToken = signToken(config)

describe('createTokenVerifier', () => {
  it('when JWT_JWKS_URI is unset, then it verifies the app’s own HS256 tokens', async () => {
    const verify = createTokenVerifier(config.jwt, () => new Date())

    await expect(Promise.resolve(verify(ownToken))).resolves.toMatchObject({ id: expect.any(String) })
  })

  it('when JWT_JWKS_URI is set, then it takes keys from the identity provider only: an HS256 token is refused unfetched', async () => {
    const jwks = loadConfig({
      JWT_JWKS_URI: 'http://127.0.0.1:9/.well-known/jwks.json',
      JWT_ISSUER: 'https://idp.example/',
      JWT_AUDIENCE: 'notes',
    })
    const verify = createTokenVerifier(jwks.jwt, () => new Date())

    await expect(Promise.resolve().then(() => verify(ownToken))).rejects.toMatchObject({ status: 401 })
  })
})
