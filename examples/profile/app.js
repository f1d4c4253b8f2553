/**
 * A team's existing Express 4 app, after phase one: mounted under the notes app with
 * `mount('/api/profile', profileApp)` (app/existing/mounts.ts). Compare before.js: express-session,
 * the login route and the HTML error page are gone; the routes are unchanged. What they read from
 * `req.session.user` is answered from the verified token, and what they write (the theme) is kept
 * in the mount's encrypted session cookie: a browser keeps it, an API client that drops cookies
 * does not, and docs/MIGRATING.md step 6 moves it to the table.
 */
const express = require('express4') // `require('express')` in the team's own repository, where express is 4.x

const app = express()
app.use(express.json())

function signedIn(req, res, next) {
  if (!req.session.user) return res.status(401).json({ error: 'sign in first' })
  next()
}

app.get('/', signedIn, (req, res) => {
  res.json({ id: req.session.user.id, email: req.session.user.email, theme: req.session.theme || 'light' })
})

app.put('/preferences', signedIn, (req, res) => {
  req.session.theme = req.body.theme
  res.json({ theme: req.session.theme })
})

// Express 4 path syntax: an optional parameter and an unnamed wildcard.
app.get('/greeting/:name?', signedIn, (req, res) => {
  res.json({ greeting: `Hello, ${req.params.name || req.session.user.email}` })
})

app.get('/files/*', signedIn, (req, res) => {
  const file = req.params[0]
  if (file.split('/').some((part) => part.startsWith('.'))) {
    throw Object.assign(new Error('hidden files are private'), { status: 403 })
  }
  res.json({ owner: req.session.user.id, file })
})

app.get('/reports/:year', signedIn, async (req, res) => {
  res.json(await yearlyReport(req.session.user.id, Number(req.params.year)))
})

app.post('/logout', (req, res) => {
  req.session.destroy(() => res.status(204).end())
})

async function yearlyReport(owner, year) {
  await new Promise((resolve) => setImmediate(resolve))
  if (year > new Date().getFullYear()) throw Object.assign(new Error('no report for a future year'), { status: 404 })
  if (year < 2000) throw new Error('the archive before 2000 is offline')
  return { owner, year, generatedAt: new Date().toISOString() }
}

module.exports = app
