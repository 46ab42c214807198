// A mocked WeChat runtime for Node: enough of `wx` for the pages, talking to a real server.
//  - wx.login returns the demo login code you choose (mock codes may be reused; WeChat's may not)
//  - wx.request performs real HTTP
//  - wx.startVerify (Tencent FaceID's SDK) plays the user at the camera through the server's mock
//    provider
//  - navigation is recorded, not performed (each page is rendered on its own)
//  - storage, toasts and modals are recorded for the tests to read
const http = require('http')

function httpRequest(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    if (body) req.write(body)
    req.end()
  })
}

function createWx({ apiBase, loginCode = 'demo-zhangwei', faceResult = 'pass' }) {
  const state = { loginCode, faceResult }
  const storage = { apiBase }
  const toasts = []
  const requests = []
  const navigations = []
  const later = (fn) => setTimeout(fn, 0)

  return {
    __state: state,
    __storage: storage,
    __toasts: toasts,
    __requests: requests,
    __navigations: navigations,
    login({ success }) {
      later(() => success({ code: state.loginCode, errMsg: 'login:ok' }))
    },
    request({ url, method = 'GET', data, header = {}, success, fail, complete }) {
      requests.push({ url, method, data })
      const body = data === undefined ? undefined : JSON.stringify(data)
      httpRequest(url, { method, headers: header, body })
        .then((res) => {
          let parsed = res.text
          try {
            parsed = JSON.parse(res.text)
          } catch (e) { /* not JSON: hand over the text, as WeChat does */ }
          const result = { statusCode: res.status, data: parsed, header: res.headers, errMsg: 'request:ok' }
          if (success) success(result)
          if (complete) complete(result)
        })
        .catch((err) => {
          const result = { errMsg: `request:fail ${err.message}` }
          if (fail) fail(result)
          if (complete) complete(result)
        })
    },
    startVerify({ data, success, fail }) {
      // Tencent FaceID's 慧眼 SDK: the scan runs with the BizToken (our verifyId); the server
      // reads the result. The mock camera completes only the logged-in user's own verification.
      // state.faceResult 'cancel' plays a user who leaves the scan: the SDK's fail callback.
      const verifyId = data && data.token
      if (state.faceResult === 'cancel') {
        later(() => fail({ ErrorCode: -1, ErrorMsg: '用户取消人脸核身' }))
        return
      }
      const token = storage.token
      httpRequest(`${apiBase}/mock/wechat/face/${encodeURIComponent(verifyId)}?result=${state.faceResult}`, {
        method: 'POST',
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      })
        .then((res) => (res.status === 200 ? success({ BizToken: verifyId }) : fail({ ErrorCode: res.status, ErrorMsg: `人脸核身失败（${res.status}）` })))
        .catch((err) => fail({ ErrorCode: -1, ErrorMsg: err.message }))
    },
    navigateTo({ url, success }) {
      navigations.push(url)
      if (success) later(() => success({ errMsg: 'navigateTo:ok' }))
    },
    reLaunch({ url, success }) {
      navigations.push(url)
      if (success) later(() => success({ errMsg: 'reLaunch:ok' }))
    },
    getStorageSync(key) {
      return key in storage ? storage[key] : ''
    },
    setStorageSync(key, value) {
      storage[key] = value
    },
    removeStorageSync(key) {
      delete storage[key]
    },
    showToast({ title }) {
      toasts.push(title)
    },
    showModal({ content, success }) {
      toasts.push(content)
      // state.confirm false plays a user who taps 取消
      const confirm = state.confirm !== false
      if (success) later(() => success({ confirm, cancel: !confirm }))
    },
    showLoading() {},
    hideLoading() {},
  }
}

module.exports = { createWx, httpRequest }
