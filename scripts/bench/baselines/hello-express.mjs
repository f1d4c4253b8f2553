/**
 * Baseline: what a team would otherwise ship, a hello-world Express 5 app behind @vendia/serverless-express,
 * bundled by esbuild as the app is (minified, tree-shaken) but without any of the app's own trimming.
 */
import serverlessExpress from '@vendia/serverless-express'
import express from 'express'

const app = express()
app.get('/health', (_req, res) => {
  res.json({ status: 'ok' })
})

export const handler = serverlessExpress({ app })
