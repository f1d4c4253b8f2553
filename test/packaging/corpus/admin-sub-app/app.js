// The public site, and the admin area as an app of its own under /admin.
const express = require('express4')
const admin = require('./admin')

const app = express()
app.locals.title = 'Public'
app.get('/', (req, res) => res.send(`<h1>${req.app.locals.title}</h1><a href="${req.baseUrl}/admin/">admin</a>`))
app.use('/admin', admin)

module.exports = app
