// passport-local as its README sets it up: a strategy over the app's users, sessions to remember them.
const path = require('path')
const express = require('express4')
const session = require('express-session')
const flash = require('connect-flash')
const passport = require('passport')
const { Strategy } = require('passport-local')

const users = [{ id: 'u1', username: 'ada', password: 'analytical engine', name: 'Ada Lovelace' }]

passport.use(
  new Strategy((username, password, done) => {
    const user = users.find((u) => u.username === username)
    if (!user || user.password !== password) return done(null, false, { message: 'Wrong username or password' })
    done(null, user)
  }),
)
passport.serializeUser((user, done) => done(null, user.id))
passport.deserializeUser((id, done) => done(null, users.find((u) => u.id === id) || false))

const app = express()
app.set('views', path.join(__dirname, 'views'))
app.set('view engine', 'ejs')
app.use(express.urlencoded({ extended: false }))
app.use(session({ secret: 'corpus', resave: false, saveUninitialized: false }))
app.use(flash())
app.use(passport.initialize())
app.use(passport.session())

app.get('/login', (req, res) => res.render('login', { errors: req.flash('error') }))
app.post('/login', (req, res, next) =>
  passport.authenticate('local', {
    successRedirect: `${req.baseUrl}/profile`,
    failureRedirect: `${req.baseUrl}/login`,
    failureFlash: true,
  })(req, res, next),
)
app.get('/profile', (req, res) => {
  if (!req.isAuthenticated()) return res.redirect(`${req.baseUrl}/login`)
  res.render('profile', { user: req.user })
})
app.post('/logout', (req, res, next) => req.logout((err) => (err ? next(err) : res.redirect(`${req.baseUrl}/login`))))

module.exports = app
