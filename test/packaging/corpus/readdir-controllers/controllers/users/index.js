const users = [
  { id: '1', name: 'Ada' },
  { id: '2', name: 'Grace' },
]

exports.list = (req, res) => res.render('list', { users })
exports.show = (req, res, next) => {
  const user = users.find((u) => u.id === req.params.id)
  if (!user) return next()
  res.render('show', { user })
}
