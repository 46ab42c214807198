// 共济支付: the patient pays their own bill with family money; the rest is cash.
const { request, firstError, nodes } = require('../../utils/graphql')
const documents = require('../../graphql/documents')
const page = require('../../utils/page')

Component({
  behaviors: [page],
  data: { bills: [], authorizations: [], result: null },
  methods: {
    onLoad() {
      return this.run(() => this.load())
    },
    async load() {
      const data = await request(documents.PayOverview)
      this.setData({
        bills: nodes(data.myBills).filter((b) => b.status === 'OPEN'),
        authorizations: nodes(data.authorizationsReceived).filter((a) => a.status === 'ACTIVE'),
      })
    },
    pay(e) {
      return this.run(async () => {
        const billId = e.currentTarget.dataset.id
        const authorization = this.data.authorizations[0]
        if (!authorization) return this.fail('暂无可用的共济授权')
        // The key is the bill's: paying the same bill again can never charge twice.
        const data = await request(documents.Pay, {
          billId,
          authorizationId: authorization.id,
          idempotencyKey: `pay-${billId}`,
        })
        const error = firstError(data.pay)
        if (error) return this.fail(error)
        const payment = data.pay.payment
        this.setData({ result: payment, notice: `共济支付${payment.acctMulaidPay}元，个人现金${payment.psnCashPay}元` })
        await this.load()
      })
    },
  },
})
