// An app booted as express's examples/mvc boots: every folder of controllers/ is a controller.
const express = require('express4') // `require('express')` in the team's own repository
const boot = require('./lib/boot')

const app = express()
app.set('view engine', 'ejs')
boot(app, { verbose: false })
app.get('/', (req, res) => res.send(`<a href="${req.baseUrl}/users">users</a> <a href="${req.baseUrl}/orders">orders</a>`))

module.exports = app
