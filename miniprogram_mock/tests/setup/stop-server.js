module.exports = async () => {
  const child = globalThis.__GONGJI_SERVER__
  if (child) child.kill()
}
