// Promise wrappers for the callback-style wx APIs the pages use.
function call(api, options) {
  return new Promise((resolve, reject) => {
    wx[api](Object.assign({}, options, { success: resolve, fail: reject }))
  })
}

module.exports = {
  login: () => call('login', {}),
  requestFacialVerify: (verifyId) => call('requestFacialVerify', { verifyId }),
}
