// <amount value="1234.50" />: a yuan amount as the user reads it, "¥1,234.50".
const { yuan } = require('../../utils/format')

Component({
  properties: {
    value: { type: String, value: '', observer: 'render' },
  },
  data: { text: '' },
  lifetimes: {
    attached() {
      this.render(this.data.value)
    },
  },
  methods: {
    render(value) {
      this.setData({ text: value === '' ? '' : `¥${yuan(value)}` })
    },
  },
})
