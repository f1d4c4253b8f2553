// The site that owned the domain: mounted at /, it keeps its home page and its 404 page.
const path = require('path')
const express = require('express4')

const app = express()
app.set('views', path.join(__dirname, 'views'))
app.set('view engine', 'ejs')
app.use(express.static(path.join(__dirname, 'public')))

app.get('/', (req, res) => res.render('page', { title: 'Welcome home' }))
app.get('/about', (req, res) => res.render('page', { title: 'About us' }))
app.use((req, res) => res.status(404).render('page', { title: 'We could not find that page' }))

module.exports = app
