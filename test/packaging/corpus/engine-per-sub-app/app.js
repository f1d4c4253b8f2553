// One sub-app per section, each rendering with the engine its settings name: Express loads ejs and pug
// by that name when it first renders; handlebars is registered under the name the settings give.
const path = require('path')
const express = require('express4')
const { engine: handlebars } = require('express-handlebars')
const settings = require('./settings.json')

const app = express()
for (const [section, engine] of Object.entries(settings.engines)) {
  const sub = express()
  sub.set('views', path.join(__dirname, 'sections', section, 'views'))
  if (engine === 'hbs') sub.engine(engine, handlebars({ extname: '.hbs', defaultLayout: false }))
  sub.set('view engine', engine)
  sub.get('/', (req, res) => res.render('index', { section, engine, items: ['one', 'two'] }))
  app.use(`/${section}`, sub)
}

module.exports = app
