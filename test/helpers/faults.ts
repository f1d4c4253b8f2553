import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'

/**
 * Makes calls of the named DynamoDB operations (`PutItemCommand`, `QueryCommand`, ...) fail with `error`, at the client seam the
 * app uses, before anything is sent. Returns a function that removes the fault.
 * @example const heal = injectFault(t.db, ['PutItemCommand'], sdkError('ThrottlingException')); ...; heal()
 */
export function injectFault(db: DynamoDBDocumentClient, commands: string[], error: () => Error): () => void {
  const name = `fault-${Math.random()}`
  db.middlewareStack.add(
    (next, context) => async (args) => {
      if (commands.includes(String(context.commandName))) throw error()
      return next(args)
    },
    { step: 'initialize', name },
  )
  return () => void db.middlewareStack.remove(name)
}

/** An error shaped like the SDK's, with `name` and `$metadata`. */
export function sdkError(name: string, httpStatusCode = 400): () => Error {
  return () => Object.assign(new Error(`${name}: injected for a test`), { name, $metadata: { httpStatusCode } })
}

export function networkError(code: string): () => Error {
  return () => Object.assign(new Error(`socket failure ${code}`), { name: 'Error', code })
}
