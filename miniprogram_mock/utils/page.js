// Shared page behaviour: every action sets `busy`, shows its error (the server's message, in a
// toast too), and never throws.
module.exports = Behavior({
  data: { busy: false, error: '', notice: '' },
  methods: {
    async run(action) {
      this.setData({ busy: true, error: '', notice: '' })
      try {
        await action()
      } catch (err) {
        this.setData({ error: err.message || String(err) })
        wx.showToast({ title: err.message || '出错了', icon: 'none' })
      } finally {
        this.setData({ busy: false })
      }
    },
    fail(message) {
      this.setData({ error: message })
      wx.showToast({ title: message, icon: 'none' })
    },
    field(e) {
      this.setData({ [e.currentTarget.dataset.field]: e.detail.value })
    },
    newKey(prefix) {
      return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e9)}`
    },
    // A modal the user answers: resolves true on 确定.
    confirm(content) {
      return new Promise((resolve) => {
        wx.showModal({ title: '请确认', content, success: (res) => resolve(Boolean(res.confirm)) })
      })
    },
  },
})
