const express = require('express4')

const router = express.Router()
const users = [{ id: 1, name: 'Ada' }]

router.param('id', (req, res, next, id) => {
  req.record = users.find((u) => u.id === Number(id))
  if (!req.record) return res.status(404).json({ error: 'not found' })
  next()
})
router.get('/', (req, res) => res.json(users))
router.post('/', (req, res) => {
  const user = { id: users.length + 1, name: String(req.body.name) }
  users.push(user)
  res.status(201).location(`${req.baseUrl}/${user.id}`).json(user)
})
router.get('/:id', (req, res) => res.json(req.record))

module.exports = router
