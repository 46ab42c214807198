// Shared page behaviour: every action sets `busy`, shows its error, and never throws.
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
  },
})
