// <empty text="暂无记录" />: what a list shows when it has nothing in it.
Component({
  properties: { text: { type: String, value: '暂无内容' } },
})
