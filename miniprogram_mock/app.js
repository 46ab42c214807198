// 共济 mini-program. Pages are written with Component() so they can be tested headless.
App({
  onLaunch() {
    if (!wx.getStorageSync('apiBase')) wx.setStorageSync('apiBase', 'http://127.0.0.1:8000')
    // Tencent Cloud FaceID's 慧眼 SDK (verify_mpsdk/, from Tencent's console, not in this
    // repository) adds wx.startVerify, which the face verification uses (utils/wxp.js).
    try {
      require('./verify_mpsdk/main').init()
    } catch (e) {
      console.warn('verify_mpsdk is missing: face verification cannot run', e)
    }
  },
})
