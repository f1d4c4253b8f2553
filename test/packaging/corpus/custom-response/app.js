// Helpers on this app's response and request prototypes, as apps add them instead of middleware.
const express = require('express4')

const app = express()
app.response.success = function success(data, status = 200) {
  return this.status(status).json({ ok: true, data })
}
app.response.failure = function failure(message, status = 400) {
  return this.status(status).json({ ok: false, error: message })
}
Object.defineProperty(app.request, 'wantsPretty', {
  get() {
    return this.query.pretty === '1'
  },
})

app.get('/things', (req, res) => res.success({ things: ['a', 'b'], pretty: req.wantsPretty }))
app.get('/things/bad', (req, res) => res.failure('that is not a thing', 422))

module.exports = app
