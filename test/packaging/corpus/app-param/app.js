// app.param loads the user a route names; an unknown one is an error with a 404 status, rendered by the app.
const path = require('path')
const express = require('express4')

const users = { ada: { name: 'Ada', languages: ['Analytical Engine'] }, grace: { name: 'Grace', languages: ['COBOL'] } }
const app = express()
app.set('views', path.join(__dirname, 'views'))
app.set('view engine', 'ejs')

app.param('user', (req, res, next, id) => {
  req.found = users[id]
  if (!req.found) return next(Object.assign(new Error(`No user ${id}`), { status: 404 }))
  next()
})
app.param('index', (req, res, next, value) => {
  req.index = Number.parseInt(value, 10)
  next()
})
app.get('/users/:user', (req, res) => res.render('user', { user: req.found }))
app.get('/users/:user/languages/:index', (req, res) => res.send(req.found.languages[req.index] || 'none'))
app.use((err, req, res, _next) => res.status(err.status || 500).render('error', { message: err.message }))

module.exports = app
