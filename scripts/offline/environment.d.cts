/**
 * The functions' environment as serverless.yml gives it, with what CloudFormation resolves on AWS (an SSM
 * reference, `!If`, `!GetAtt`) taken from `from` (this process's environment by default), or empty.
 */
export declare function localEnvironment(
  environment: Record<string, unknown>,
  from?: Record<string, string | undefined>,
): Record<string, string>
