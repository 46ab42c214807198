// A small GraphQL client over wx.request: POST JSON, bearer token from storage.
// Payload errors (errors: [...] in a mutation's result) are returned to the page to show;
// transport failures and top-level GraphQL errors (not logged in, a refused query such as a
// bad records filter, server bug) reject with the server's localized message and its code.
const { apiBase } = require('./config')

class GraphQLError extends Error {
  constructor(message, code) {
    super(message)
    this.code = code
  }
}

function request(document, variables) {
  return new Promise((resolve, reject) => {
    const token = wx.getStorageSync('token')
    wx.request({
      url: `${apiBase()}/graphql`,
      method: 'POST',
      data: { query: document, variables: variables || {} },
      header: Object.assign(
        { 'content-type': 'application/json', 'Accept-Language': 'zh-CN' },
        token ? { Authorization: `Bearer ${token}` } : {},
      ),
      success(res) {
        const body = res.data || {}
        if (res.statusCode !== 200) {
          reject(new GraphQLError(`服务器错误（${res.statusCode}）`, 'HTTP_' + res.statusCode))
        } else if (body.errors && body.errors.length) {
          const first = body.errors[0]
          const code = (first.extensions && first.extensions.code) || 'GRAPHQL_ERROR'
          const loggedOut = code === 'UNAUTHENTICATED' || code === 'TOKEN_INVALID'
          const message = loggedOut ? '请先登录' : first.message
          reject(new GraphQLError(message, code))
        } else {
          resolve(body.data)
        }
      },
      fail(err) {
        reject(new GraphQLError(`网络错误：${err.errMsg || err}`, 'NETWORK'))
      },
    })
  })
}

// The first payload error as the page shows it, or '' when there is none.
function firstError(payload) {
  const errors = (payload && payload.errors) || []
  return errors.length ? errors[0].message : ''
}

// The items of one page of a connection (edges { node }).
function nodes(connection) {
  return ((connection && connection.edges) || []).map((edge) => edge.node)
}

module.exports = { request, firstError, nodes, GraphQLError }
