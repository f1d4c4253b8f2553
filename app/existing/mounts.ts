import type { Mount } from './mount'

/**
 * The one place existing Express code joins the app: one `mount(path, appOrRouter)` line each, in
 * the order they should be tried. Every mount runs behind the token check with `req.user` (and a
 * `req.session` answered from the token), and gets the app's request ids, logs, 404 and
 * problem+json errors, in `npm run dev`, in tests and on Lambda alike. Import statically, as below:
 * the Lambda bundle holds only what is imported. See docs/MIGRATING.md.
 * @example
 * import { mount } from './mount'
 * import profileApp from '../../examples/profile/app'
 *
 * export const mounts: Mount[] = [mount('/api/profile', profileApp)]
 */
export const mounts: Mount[] = []
