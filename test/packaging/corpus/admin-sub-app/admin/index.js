const path = require('path')
const express = require('express4')

const admin = express()
admin.set('views', path.join(__dirname, 'views'))
admin.set('view engine', 'pug')
admin.locals.title = 'Admin'
admin.on('mount', (parent) => {
  admin.locals.parentTitle = parent.locals.title
})

admin.get('/', (req, res) => res.render('dashboard', { baseUrl: req.baseUrl, mountpath: admin.mountpath }))
admin.get('/settings', (req, res) => res.redirect(`${req.baseUrl}/`))

module.exports = admin
