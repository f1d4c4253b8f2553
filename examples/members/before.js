/**
 * A members' site as a team runs it today, on its own server: Express 4, ejs views, a login form over
 * its own user table (users.json, bcrypt and PBKDF2 hashes from the system before it), express-session
 * in server memory, connect-flash, an edit form through method-override, a picture upload written to
 * disk, a stylesheet and an image. Its links and redirects are absolute (`/login`, `/account`).
 * Kept for the diff in docs/MIGRATING.md; app.js is the same site after the move.
 */
const { pbkdf2Sync, timingSafeEqual } = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const bcrypt = require('bcryptjs')
const flash = require('connect-flash')
const express = require('express4') // `require('express')` in the team's own repository, where express is 4.x
const session = require('express-session')
const methodOverride = require('method-override')
const multer = require('multer')

const users = require('./users.json')
const profiles = new Map() // user id -> { name, bio, avatar }
const uploads = path.join(__dirname, 'uploads')

const app = express()
app.set('views', path.join(__dirname, 'views'))
app.set('view engine', 'ejs')
app.use(express.static(path.join(__dirname, 'public')))
app.use(express.urlencoded({ extended: false }))
app.use(methodOverride('_method'))
app.use(session({ secret: process.env.SESSION_SECRET || 'keyboard cat', resave: false, saveUninitialized: false }))
app.use(flash())
app.use((req, res, next) => {
  const user = users.find((u) => u.id === req.session.userId)
  res.locals.member = user && { name: user.name, ...profiles.get(user.id) }
  let messages
  Object.defineProperty(res.locals, 'messages', {
    enumerable: true,
    get: () => (messages ??= { info: req.flash('info'), error: req.flash('error') }),
  })
  next()
})

function signedIn(req, res, next) {
  if (!req.session.userId) return res.redirect('/login')
  next()
}

app.get('/', (req, res) => res.redirect('/account'))
app.get('/login', (req, res) => res.render('login'))

app.post('/login', (req, res) => {
  const user = users.find((u) => u.username === String(req.body.username).toLowerCase())
  if (!user || !checkPassword(String(req.body.password), user.password_hash)) {
    req.flash('error', 'Wrong username or password')
    return res.redirect('/login')
  }
  req.session.regenerate(() => {
    req.session.userId = user.id
    req.flash('info', `Welcome back, ${user.name}`)
    res.redirect('/account')
  })
})

app.post('/logout', (req, res) => {
  req.session.regenerate(() => {
    req.flash('info', 'You are signed out')
    res.redirect('/login')
  })
})

app.get('/account', signedIn, (req, res) => res.render('account', { member: memberOf(req) }))
app.get('/account/edit', signedIn, (req, res) => res.render('edit', { member: memberOf(req) }))

app.put('/account', signedIn, (req, res) => {
  profiles.set(req.session.userId, { ...profiles.get(req.session.userId), name: req.body.name, bio: req.body.bio })
  req.flash('info', 'Profile saved')
  res.redirect('/account')
})

const upload = multer({ dest: uploads, limits: { fileSize: 1024 * 1024 } })
app.post('/account/avatar', signedIn, upload.single('avatar'), (req, res) => {
  profiles.set(req.session.userId, { ...profiles.get(req.session.userId), avatar: req.file })
  req.flash('info', 'Picture uploaded')
  res.redirect('/account')
})

app.get('/account/avatar', signedIn, (req, res) => {
  const avatar = profiles.get(req.session.userId)?.avatar
  if (!avatar) return res.sendStatus(404)
  res.type(avatar.mimetype).sendFile(avatar.path)
})

function memberOf(req) {
  const user = users.find((u) => u.id === req.session.userId)
  const profile = profiles.get(user.id) || {}
  return {
    name: profile.name || user.name,
    bio: profile.bio || '',
    hasAvatar: Boolean(profile.avatar),
    avatarVersion: profile.avatar?.filename,
  }
}

function checkPassword(password, stored) {
  if (stored.startsWith('$2')) return bcrypt.compareSync(password, stored)
  const [, iterations, salt, hash] = stored.split('$')
  const derived = pbkdf2Sync(password, salt, Number(iterations), 32, 'sha256')
  return timingSafeEqual(derived, Buffer.from(hash, 'base64'))
}

fs.mkdirSync(uploads, { recursive: true })
module.exports = app

if (!module.parent) app.listen(3000, () => console.log('Members on http://localhost:3000'))
