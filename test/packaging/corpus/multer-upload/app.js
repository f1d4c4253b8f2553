// Uploads read by multer, kept in memory (a function's disk is its own and short-lived).
const { createHash } = require('crypto')
const express = require('express4')
const multer = require('multer')

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 1024 * 1024 } })
const app = express()

app.get('/', (req, res) =>
  res.send('<form method="post" enctype="multipart/form-data"><input name="title"><input type="file" name="file"></form>'),
)
app.post('/', upload.single('file'), (req, res) => {
  if (!req.file) return res.status(400).json({ error: 'no file' })
  res.json({
    title: req.body.title,
    name: req.file.originalname,
    type: req.file.mimetype,
    size: req.file.size,
    sha256: createHash('sha256').update(req.file.buffer).digest('hex'),
  })
})

module.exports = app
