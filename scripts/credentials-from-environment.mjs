/**
 * What the Lambda bundles use in place of `@aws-sdk/credential-provider-node` (see leanDependencies in
 * build-lambda.mjs). Lambda gives a function its role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the first place the SDK's default chain
 * looks; the rest of the chain (shared files, SSO, web identity, processes, containers, instance
 * metadata) never runs there, yet brings the STS and SSO clients along. Without the variables the
 * first call fails with the SDK's own CredentialsProviderError, as the whole chain would on Lambda.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env'

export const defaultProvider = (init = {}) => fromEnv(init)
