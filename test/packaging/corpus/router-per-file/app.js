// The layout express-generator gives: routes/index.js and routes/users.js, each a router.
const express = require('express4')
const index = require('./routes/index')
const users = require('./routes/users')

const app = express()
app.use(express.json())
app.use('/', index)
app.use('/users', users)

module.exports = app
