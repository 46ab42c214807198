// WXML syntax gate: WeChat's own compiler (shipped with miniprogram-simulate) must accept every
// page and every shared component.
const fs = require('fs')
const path = require('path')

const ROOT = path.join(__dirname, '..')
const dirs = ['pages', 'components'].flatMap((kind) =>
  fs.readdirSync(path.join(ROOT, kind)).map((name) => `${kind}/${name}`))

test.each(dirs)('%s compiles with the official WXML compiler', (dir) => {
  const compiler = require('miniprogram-compiler')
  const js = compiler.wxmlToJs(path.join(ROOT, dir))
  expect(js).toContain('index.wxml')
})

test.each(dirs)('%s has the four files of a mini-program page or component', (dir) => {
  for (const ext of ['js', 'json', 'wxml', 'wxss']) {
    expect(fs.existsSync(path.join(ROOT, dir, `index.${ext}`))).toBe(true)
  }
  const json = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'index.json'), 'utf8'))
  for (const used of Object.values(json.usingComponents || {})) {
    expect(fs.existsSync(path.join(ROOT, `${used}.js`))).toBe(true)
  }
})
