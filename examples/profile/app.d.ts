import type { ExistingApp } from '../../app/existing'

/** The Express 4 app in app.js. */
declare const app: ExistingApp
export = app
