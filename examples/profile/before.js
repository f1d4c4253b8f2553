/**
 * The same app before phase one, as it ran on its own server: kept for the diff in
 * docs/MIGRATING.md, not run by the tests (express-session is not a dependency of this repository).
 */
const { scryptSync, timingSafeEqual } = require('node:crypto')
const express = require('express4') // `require('express')` in the team's own repository, where express is 4.x
const session = require('express-session')

const app = express()
app.use(express.json())
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }))

const accounts = new Map() // email -> { id, salt, hash }, filled by a sign-up route not shown

app.post('/login', (req, res) => {
  const account = accounts.get(String(req.body.email).toLowerCase())
  const hash = account && scryptSync(String(req.body.password), account.salt, 32)
  if (!account || !timingSafeEqual(hash, account.hash)) return res.status(401).json({ error: 'wrong email or password' })
  req.session.regenerate(() => {
    req.session.user = { id: account.id, email: req.body.email }
    res.json({ ok: true })
  })
})

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

app.use((err, req, res, _next) => {
  console.error(err)
  res.status(err.status || 500).send('<h1>Something went wrong</h1>')
})

module.exports = app
