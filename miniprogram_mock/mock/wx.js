// A mocked WeChat runtime for Node: enough of `wx` for the pages, talking to a real server.
//  - wx.login returns the demo login code you choose (mock codes may be reused; WeChat's may not)
//  - wx.request performs real HTTP
//  - wx.requestFacialVerify plays the user at the camera through the server's mock provider
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
  const later = (fn) => setTimeout(fn, 0)

  return {
    __state: state,
    __storage: storage,
    __toasts: toasts,
    __requests: requests,
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
    requestFacialVerify({ verifyId, success, fail }) {
      // In the 2.0 flow the client only does the scan; the server asks WeChat for the result.
      // The mock camera completes only the logged-in user's own verification: send their token.
      const token = storage.token
      httpRequest(`${apiBase}/mock/wechat/face/${encodeURIComponent(verifyId)}?result=${state.faceResult}`, {
        method: 'POST',
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      })
        .then((res) => (res.status === 200 ? success({ errMsg: 'requestFacialVerify:ok' }) : fail({ errMsg: `requestFacialVerify:fail ${res.status}` })))
        .catch((err) => fail({ errMsg: err.message }))
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
      if (success) later(() => success({ confirm: true, cancel: false }))
    },
    showLoading() {},
    hideLoading() {},
  }
}

module.exports = { createWx, httpRequest }
