// 医保钱包与共济授权: transfer in, authorize a relative, change or end the quota.
const { request, firstError, nodes } = require('../../utils/graphql')
const documents = require('../../graphql/documents')
const page = require('../../utils/page')

Component({
  behaviors: [page],
  data: { wallet: null, granted: [], relatives: [], amount: '', quota: '', transferKey: '' },
  methods: {
    onLoad() {
      return this.run(() => this.load())
    },
    async load() {
      const data = await request(documents.WalletOverview)
      const seen = {}
      const relatives = []
      for (const group of data.myFamilyGroups) {
        for (const m of group.members) {
          if (m.role !== 'CREATOR' && !seen[m.person.id]) {
            seen[m.person.id] = true
            relatives.push(m.person)
          }
        }
      }
      this.setData({ wallet: data.myWallet, granted: nodes(data.authorizationsGranted), relatives })
    },
    transfer() {
      return this.run(async () => {
        // One key per intended transfer: a retry after a network failure cannot move money twice.
        const key = this.data.transferKey || this.newKey('transfer')
        this.setData({ transferKey: key })
        const data = await request(documents.TransferToWallet, { amount: this.data.amount, idempotencyKey: key })
        const error = firstError(data.transferToWallet)
        if (error) return this.fail(error)
        this.setData({ transferKey: '' })
        await this.load()
        this.setData({ notice: `已划转${data.transferToWallet.transfer.amount}元` })
      })
    },
    authorize(e) {
      return this.run(async () => {
        const data = await request(documents.AuthorizeFamilyMember, {
          relativeId: e.currentTarget.dataset.id,
          quota: this.data.quota,
        })
        const error = firstError(data.authorizeFamilyMember)
        if (error) return this.fail(error)
        await this.load()
        this.setData({ notice: `已授权${data.authorizeFamilyMember.authorization.quota}元` })
      })
    },
    change(e) {
      return this.run(async () => {
        const data = await request(documents.ChangeAuthorization, {
          authorizationId: e.currentTarget.dataset.id,
          quota: this.data.quota,
        })
        const error = firstError(data.changeAuthorization)
        if (error) return this.fail(error)
        await this.load()
        this.setData({ notice: `额度已改为${data.changeAuthorization.authorization.quota}元` })
      })
    },
    revoke(e) {
      return this.run(async () => {
        const data = await request(documents.RevokeAuthorization, { authorizationId: e.currentTarget.dataset.id })
        const error = firstError(data.revokeAuthorization)
        if (error) return this.fail(error)
        await this.load()
        this.setData({ notice: '已解除授权，未使用额度已退回钱包' })
      })
    },
  },
})
