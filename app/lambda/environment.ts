import { ConfigError } from '../config'

/**
 * Refuses a variable that still holds a CloudFormation dynamic reference (`{{resolve:ssm:...}}`).
 * CloudFormation resolves those only when it deploys the function; set any other way (`serverless
 * deploy function --update-config`, the console) the literal text would pass for a 36-byte secret
 * that anyone reading serverless.yml knows.
 */
export function withResolvedReferences(env: Record<string, string | undefined>): Record<string, string | undefined> {
  for (const [name, value] of Object.entries(env)) {
    if (value?.trimStart().startsWith('{{resolve:')) {
      throw new ConfigError(`${name} holds an unresolved CloudFormation reference (${value}); deploy the stack with "npx serverless deploy"`)
    }
  }
  return env
}
