// Where the gongji server is: the API base kept in storage, set at launch (app.js) or by tests.
function apiBase() {
  return wx.getStorageSync('apiBase') || 'http://127.0.0.1:8000'
}

module.exports = { apiBase }
