// View helpers in app.locals, as apps of the Express 3 era set them up, and per-request res.locals.
const path = require('path')
const express = require('express4')

const app = express()
app.set('views', path.join(__dirname, 'views'))
app.set('view engine', 'ejs')
app.locals.siteName = 'Corner Shop'
app.locals.price = (cents) => `€${(cents / 100).toFixed(2)}`
app.locals.plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`

app.use((req, res, next) => {
  res.locals.path = req.path
  next()
})
app.get('/', (req, res) => res.render('index', { items: [{ name: 'Tea', cents: 350 }] }))

module.exports = app
