/**
 * The members' site of before.js after the move, served at its own URLs as the fallback behind the
 * notes app (app/existing/mounts.ts):
 *
 *   mount('/', membersApp({ db, tableName }), { auth: 'optional', signInPage: '/login' })
 *
 * What changed, and why (docs/MIGRATING.md walks through it):
 * - express-session is gone: `req.session` (and connect-flash on it) is the mount's, kept in an
 *   encrypted cookie, so any copy of the function answers the next request.
 * - The login form checks the imported user table (scripts/import-users.ts) with verifyLogin, which
 *   moves each bcrypt or PBKDF2 hash to scrypt on its first success, then calls signIn: the person
 *   is signed in to the whole site, SPA included. Who is signed in is `req.user`, never the session.
 * - Profiles and pictures live in the table, not in a Map and on local disk.
 * The views, the stylesheet, the image, method-override and the absolute links stay as they were.
 */
const path = require('node:path')
const { GetCommand, UpdateCommand } = require('@aws-sdk/lib-dynamodb')
const flash = require('connect-flash')
const express = require('express4') // `require('express')` in the team's own repository, where express is 4.x
const methodOverride = require('method-override')
const multer = require('multer')
const { signIn, signOut, verifyLogin } = require('../../app/existing')

module.exports = function membersApp({ db, tableName }) {
  const profiles = profileStore({ db, tableName })
  const app = express()
  app.set('views', path.join(__dirname, 'views'))
  app.set('view engine', 'ejs')
  app.use(express.static(path.join(__dirname, 'public')))
  app.use(express.urlencoded({ extended: false }))
  app.use(methodOverride('_method'))
  app.use(flash())
  app.use(async (req, res, next) => {
    res.locals.member = req.user && ((await profiles.get(req.user.id)) ?? { name: req.user.email || 'member', bio: '' })
    let messages
    Object.defineProperty(res.locals, 'messages', {
      enumerable: true,
      get: () => (messages ??= { info: req.flash('info'), error: req.flash('error') }),
    })
    next()
  })

  function signedIn(req, res, next) {
    if (!req.user) return res.redirect('/login')
    next()
  }

  app.get('/', (req, res) => res.redirect('/account'))
  app.get('/login', (req, res) => res.render('login'))

  app.post('/login', async (req, res) => {
    const account = await verifyLogin(req, req.body.username, req.body.password)
    if (!account) {
      req.flash('error', 'Wrong username or password')
      return res.redirect('/login')
    }
    await signIn(req, res, account)
    const member = await profiles.ensure(account)
    req.flash('info', `Welcome back, ${member.name}`)
    res.redirect('/account')
  })

  app.post('/logout', async (req, res) => {
    await signOut(req, res)
    req.flash('info', 'You are signed out')
    res.redirect('/login')
  })

  app.get('/account', signedIn, (req, res) => res.render('account'))
  app.get('/account/edit', signedIn, (req, res) => res.render('edit'))

  app.put('/account', signedIn, async (req, res) => {
    await profiles.update(req.user.id, { name: String(req.body.name).slice(0, 100), bio: String(req.body.bio ?? '').slice(0, 1000) })
    req.flash('info', 'Profile saved')
    res.redirect('/account')
  })

  // In memory, then into the table: a Lambda's disk is its own and short-lived (pictures over ~300 KB belong in S3).
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 300 * 1024 } })
  app.post('/account/avatar', signedIn, upload.single('avatar'), async (req, res) => {
    await profiles.setAvatar(req.user.id, req.file)
    req.flash('info', 'Picture uploaded')
    res.redirect('/account')
  })

  app.get('/account/avatar', signedIn, async (req, res) => {
    const avatar = await profiles.avatar(req.user.id)
    if (!avatar) return res.sendStatus(404)
    res.type(avatar.type).set('Cache-Control', 'private, max-age=3600').send(avatar.bytes)
  })

  return app
}

/** Members' profiles: one item per user in the app's table, `USER#<id>` / `MEMBER`. */
function profileStore({ db, tableName }) {
  const key = (id) => ({ pk: `USER#${id}`, sk: 'MEMBER' })
  const read = async (id) => (await db.send(new GetCommand({ TableName: tableName, Key: key(id), ConsistentRead: true }))).Item
  return {
    async get(id) {
      const item = await read(id)
      if (!item) return undefined
      return { name: item.name, bio: item.bio || '', hasAvatar: Boolean(item.avatar), avatarVersion: item.avatarVersion }
    },
    async ensure(account) {
      const { Attributes } = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(account.id),
          UpdateExpression: 'SET #name = if_not_exists(#name, :name)',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':name': account.name || account.email || 'member' },
          ReturnValues: 'ALL_NEW',
        }),
      )
      return Attributes
    },
    async update(id, { name, bio }) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(id),
          UpdateExpression: 'SET #name = :name, bio = :bio',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':name': name, ':bio': bio },
        }),
      )
    },
    async setAvatar(id, file) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(id),
          UpdateExpression: 'SET avatar = :bytes, avatarType = :type, avatarVersion = :version',
          ExpressionAttributeValues: { ':bytes': file.buffer, ':type': file.mimetype, ':version': Date.now().toString(36) },
        }),
      )
    },
    async avatar(id) {
      const item = await read(id)
      return item?.avatar && { bytes: Buffer.from(item.avatar), type: item.avatarType }
    },
  }
}
