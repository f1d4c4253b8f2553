const orders = [{ id: 'A-1', total: 12 }]

exports.list = (req, res) => res.render('list', { orders })
