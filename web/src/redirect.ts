/** Where to go after signing in: the page that asked for it, if it is a path of this app (never another site). */
export function afterSignIn(redirect: unknown): string {
  return typeof redirect === 'string' && redirect.startsWith('/') && !redirect.startsWith('//') && !redirect.startsWith('/\\')
    ? redirect
    : '/'
}
