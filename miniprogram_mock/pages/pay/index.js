// 共济支付: the patient chooses whose family money to use, sees the server's preview of the split
// (family money, cash, excluded lines and why), confirms, and sees the result. At a counter,
// a one-time payment code (付款码) does the same for the institution's settlement.
const { request, firstError, nodes } = require('../../utils/graphql')
const documents = require('../../graphql/documents')
const { label, RELATIONSHIP, INVERSE, VISIT_TYPE } = require('../../utils/labels')
const { date, dateTime } = require('../../utils/format')
const page = require('../../utils/page')

Component({
  behaviors: [page],
  data: { bills: [], authorizations: [], chosen: '', preview: null, result: null, paymentCode: null },
  methods: {
    onLoad() {
      return this.run(() => this.load())
    },
    async load() {
      const data = await request(documents.PayOverview)
      const authorizations = nodes(data.authorizationsReceived)
        .filter((a) => a.status === 'ACTIVE')
        .map((a) => ({ ...a, relationshipLabel: label(RELATIONSHIP, INVERSE[a.relationship]) }))
      const chosen = authorizations.some((a) => a.id === this.data.chosen)
        ? this.data.chosen
        : (authorizations[0] || {}).id || ''
      this.setData({
        bills: nodes(data.myBills)
          .filter((b) => b.status === 'OPEN')
          .map((b) => ({ ...b, day: date(b.createdAt), visitLabel: label(VISIT_TYPE, b.visitType) })),
        authorizations,
        chosen,
      })
    },
    choose(e) {
      this.setData({ chosen: e.currentTarget.dataset.id, preview: null, paymentCode: null })
    },
    previewBill(e) {
      return this.run(async () => {
        this.setData({ preview: null, result: null })
        if (!this.data.chosen) return this.fail('暂无可用的共济授权')
        const data = await request(documents.PaymentPreview, {
          billId: e.currentTarget.dataset.id,
          authorizationId: this.data.chosen,
        })
        const error = firstError(data.paymentPreview)
        if (error) return this.fail(error)
        this.setData({ preview: data.paymentPreview.preview })
      })
    },
    cancelPreview() {
      this.setData({ preview: null })
    },
    pay() {
      return this.run(async () => {
        const { billId, authorizationId } = this.data.preview
        // The key is the bill's: paying the same bill again can never charge twice.
        const data = await request(documents.Pay, { billId, authorizationId, idempotencyKey: `pay-${billId}` })
        const error = firstError(data.pay)
        if (error) return this.fail(error)
        const payment = data.pay.payment
        this.setData({
          preview: null,
          result: payment,
          notice: `共济支付${payment.acctMulaidPay}元，个人现金${payment.psnCashPay}元`,
        })
        await this.load()
      })
    },
    showCode() {
      return this.run(async () => {
        const data = await request(documents.CreatePaymentCode, { authorizationId: this.data.chosen })
        const error = firstError(data.createPaymentCode)
        if (error) return this.fail(error)
        const { code, expiresAt } = data.createPaymentCode
        this.setData({ paymentCode: { code, until: dateTime(expiresAt) } })
      })
    },
  },
})
