// Promise wrappers for the callback-style wx APIs the pages use.
function call(api, options) {
  return new Promise((resolve, reject) => {
    wx[api](Object.assign({}, options, { success: resolve, fail: reject }))
  })
}

// Face verification as the API runs it: Tencent Cloud FaceID. The server's verifyId is FaceID's
// BizToken; Tencent's 慧眼 SDK (verify_mpsdk, initialised in app.js) runs the scan with
// wx.startVerify, and the server reads the result. The SDK only reports a scan that did not
// finish (cancelled, no camera); whether the face passed is the server's answer.
function faceScan(verifyId) {
  return new Promise((resolve, reject) => {
    wx.startVerify({
      data: { token: verifyId },
      success: resolve,
      fail: (err) => reject(new Error((err && err.ErrorMsg) || '人脸核身未完成，请重试')),
    })
  })
}

module.exports = {
  login: () => call('login', {}),
  faceScan,
  navigateTo: (url) => call('navigateTo', { url }),
  reLaunch: (url) => call('reLaunch', { url }),
}
