// res.format: what the client's Accept header asks for.
const express = require('express4')

const users = [{ name: 'Ada' }, { name: 'Grace' }]
const app = express()

app.get('/users', (req, res) => {
  res.format({
    html: () => res.send(`<ul>${users.map((u) => `<li>${u.name}</li>`).join('')}</ul>`),
    json: () => res.json(users),
    text: () => res.send(users.map((u) => ` - ${u.name}`).join('\n')),
  })
})

module.exports = app
