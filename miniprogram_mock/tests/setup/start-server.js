// Starts a live gongji on a fresh SQLite database with the demo data, for all test files.
// GONGJI_BIN points at the `gongji` command (default: the project's .venv).
const { execFileSync, spawn } = require('child_process')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')
const { httpRequest } = require('../../mock/wx')

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

module.exports = async () => {
  const bin = process.env.GONGJI_BIN || path.resolve(__dirname, '../../../.venv/bin/gongji')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongji-mp-'))
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite://${path.join(dir, 'mp.sqlite3')}`,
    GONGJI_ENV: 'development', // the mock WeChat login and face provider run only in development
    GONGJI_FACE_MOCK_AUTO_PASS: '0', // a face scan passes only when the test's wx does it
  }
  execFileSync(bin, ['migrate'], { env, stdio: 'ignore' })
  execFileSync(bin, ['demo'], { env, stdio: 'ignore' })
  // GONGJI_TEST_PORT pins the port where several checkouts share a machine.
  const port = Number(process.env.GONGJI_TEST_PORT) || (await freePort())
  const child = spawn(bin, ['serve', '--port', String(port)], { env, stdio: 'ignore' })
  globalThis.__GONGJI_SERVER__ = child
  process.env.GONGJI_API = `http://127.0.0.1:${port}`
  // up to a minute: on a loaded machine the server's imports alone take several seconds
  for (let i = 0; i < 600; i++) {
    try {
      const res = await httpRequest(`${process.env.GONGJI_API}/healthz`)
      if (res.status === 200) return
    } catch (e) { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100))
  }
  child.kill()
  throw new Error('gongji did not start')
}
