// 共济 mini-program. Pages are written with Component() so they can be tested headless.
App({
  onLaunch() {
    if (!wx.getStorageSync('apiBase')) wx.setStorageSync('apiBase', 'http://127.0.0.1:8000')
  },
})
