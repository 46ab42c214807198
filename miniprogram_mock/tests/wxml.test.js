// WXML syntax gate: WeChat's own compiler (shipped with miniprogram-simulate) must accept every page.
const fs = require('fs')
const path = require('path')

const pages = fs.readdirSync(path.join(__dirname, '..', 'pages'))

test.each(pages)('pages/%s compiles with the official WXML compiler', (name) => {
  const compiler = require('miniprogram-compiler')
  const js = compiler.wxmlToJs(path.join(__dirname, '..', 'pages', name))
  expect(js).toContain('index.wxml')
})
