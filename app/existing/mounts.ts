import type { MountList } from './mount'

/**
 * The one place existing Express code joins the app: one `mount(path, appOrRouter, options)` line
 * each, in the order they should be tried, or a function of `{ db, tableName, config }` returning
 * them when mounted code keeps data in the table. Every mount is served at its own URLs (a mount at
 * `/` answers what the app's own routes and the SPA's files leave), behind its credential check,
 * with a `req.session` that lasts, and the app's request ids, logs, 404 and problem+json errors, in
 * `npm run dev`, in tests and on Lambda alike. Import statically, as below: the Lambda bundle holds
 * only what is imported. See docs/MIGRATING.md.
 * @example
 * import { mount } from './mount'
 * import membersApp from '../../examples/members/app'
 *
 * export const mounts: MountList = ({ db, tableName }) => [mount('/', membersApp({ db, tableName }), { auth: 'optional', signInPage: '/login' })]
 */
export const mounts: MountList = []
