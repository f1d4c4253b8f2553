// Files beside the code, sent as downloads or inline, by names from the URL.
const path = require('path')
const express = require('express4')

const app = express()
const files = path.join(__dirname, 'files')

app.get('/download/:name', (req, res) => {
  res.download(path.join(files, path.basename(req.params.name)), (err) => {
    if (err && !res.headersSent) res.status(404).send('No such file')
  })
})
app.get('/inline/:name', (req, res) => {
  res.sendFile(path.basename(req.params.name), { root: files }, (err) => {
    if (err && !res.headersSent) res.status(404).send('No such file')
  })
})

module.exports = app
