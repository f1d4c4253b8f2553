// Keeps its session in a signed cookie of its own, so any server can read it.
const express = require('express4')
const cookieSession = require('cookie-session')

const app = express()
app.use(cookieSession({ name: 'corpus-session', keys: ['corpus-key-one', 'corpus-key-two'], maxAge: 24 * 60 * 60 * 1000 }))

app.get('/', (req, res) => {
  req.session.views = (req.session.views || 0) + 1
  res.send(`<p>Visits: ${req.session.views}</p><p>Theme: ${req.session.theme || 'light'}</p>`)
})
app.get('/theme/:name', (req, res) => {
  req.session.theme = req.params.name
  res.redirect(`${req.baseUrl}/`)
})
app.get('/forget', (req, res) => {
  req.session = null
  res.redirect(`${req.baseUrl}/`)
})

module.exports = app
