// An admin screen of user records: the hook of /users/:id puts the record into req.user (the app's
// own name for it, nothing to do with who is signed in), and an edit leaves a flash message.
const path = require('path')
const express = require('express4')
const session = require('express-session')
const flash = require('connect-flash')

const records = { 1: { id: '1', name: 'Ada' }, 2: { id: '2', name: 'Grace' } }

const app = express()
app.set('views', path.join(__dirname, 'views'))
app.set('view engine', 'ejs')
app.use(express.urlencoded({ extended: false }))
app.use(session({ secret: 'corpus', resave: false, saveUninitialized: false }))
app.use(flash())

app.all('/users/:id', (req, res, next) => {
  req.user = records[req.params.id]
  if (!req.user) return res.status(404).send('No such user')
  next()
})
app.get('/users/:id', (req, res) => res.render('user', { user: req.user, messages: req.flash('info') }))
app.post('/users/:id', (req, res) => {
  req.user.name = String(req.body.name)
  req.flash('info', `Saved ${req.user.name}`)
  res.redirect(`${req.baseUrl}/users/${req.user.id}`)
})

module.exports = app
