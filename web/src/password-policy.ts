/** The API's password policy (OWASP ASVS 2.1): length only, and no password from a list of the most common ones. */
export const passwordMinLength = 12
export const passwordMaxLength = 128
export const passwordHint = `${passwordMinLength} to ${passwordMaxLength} characters. A long phrase is easy to remember; very common passwords are refused.`

/** What is wrong with a new password before the server is asked, or undefined; the common-password check is the server's. */
export function passwordProblem(password: string): string | undefined {
  const length = password.length
  if (length === 0) return 'Enter a password.'
  if (length < passwordMinLength) return `Use at least ${passwordMinLength} characters (this one has ${length}).`
  if (length > passwordMaxLength) return `Use at most ${passwordMaxLength} characters (this one has ${length}).`
  return undefined
}

/** What is wrong with a new password and its repetition, as field errors of `body.newPassword` and `body.repeated`. */
export function newPasswordProblems(newPassword: string, repeated: string): { path: string; message: string }[] {
  const policy = passwordProblem(newPassword)
  if (policy) return [{ path: 'body.newPassword', message: policy }]
  if (repeated !== newPassword) return [{ path: 'body.repeated', message: 'This is not the same as the new password.' }]
  return []
}
