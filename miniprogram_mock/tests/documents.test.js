// The bundled documents the pages use are exactly the .graphql files (validated in tests/).
const fs = require('fs')
const path = require('path')
const { bundle } = require('../scripts/build-documents')

test('graphql/documents.js is up to date: run `npm run documents`', () => {
  const committed = fs.readFileSync(path.join(__dirname, '..', 'graphql', 'documents.js'), 'utf8')
  expect(committed).toBe(bundle())
})

test('the GraphQL client surfaces transport and top-level errors', async () => {
  jest.resetModules()
  require('miniprogram-simulate')
  const { createWx } = require('../mock/wx')
  global.wx = Object.assign(global.wx || {}, createWx({ apiBase: process.env.GONGJI_API }))
  const { request } = require('../utils/graphql')
  await expect(request('{ me { name } }')).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: '请先登录' })
  global.wx.setStorageSync('apiBase', 'http://127.0.0.1:1')
  await expect(request('{ me { name } }')).rejects.toMatchObject({ code: 'NETWORK' })
})
