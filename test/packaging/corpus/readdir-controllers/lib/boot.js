// Each controller folder becomes a sub-app with its own views/, required by a path computed at start.
const express = require('express4')
const fs = require('fs')
const path = require('path')

module.exports = function boot(parent) {
  const dir = path.join(__dirname, '..', 'controllers')
  for (const name of fs.readdirSync(dir).sort()) {
    const controller = require(path.join(dir, name))
    const app = express()
    app.set('views', path.join(dir, name, 'views'))
    app.set('view engine', 'ejs')
    for (const [action, handler] of Object.entries(controller)) {
      if (action === 'list') app.get(`/${name}`, handler)
      if (action === 'show') app.get(`/${name}/:id`, handler)
    }
    parent.use(app)
  }
}
