// 医保钱包与共济授权: open the wallet (employee-insured only), transfer in, authorize anyone in
// my family groups the region lets me share with (the creator too), change or end what I granted, end what I received, and
// pay a resident-insured relative's premium (代缴) where the region allows it.
const { request, firstError, nodes } = require('../../utils/graphql')
const documents = require('../../graphql/documents')
const { label, RELATIONSHIP, INVERSE, AUTHORIZATION_STATUS, INSURANCE_TYPE } = require('../../utils/labels')
const { date } = require('../../utils/format')
const page = require('../../utils/page')

function authorizationView(a, received) {
  return {
    ...a,
    statusLabel: label(AUTHORIZATION_STATUS, a.status),
    relationshipLabel: label(RELATIONSHIP, received ? INVERSE[a.relationship] : a.relationship),
    since: date(a.createdAt),
    active: a.status === 'ACTIVE',
  }
}

Component({
  behaviors: [page],
  data: {
    me: null, wallet: null, policy: null, granted: [], received: [], relatives: [], residents: [],
    amount: '', quota: '', transferKey: '', premiumYear: String(new Date().getFullYear()),
    premiumAmount: '', premiumKey: '',
  },
  methods: {
    onLoad() {
      return this.run(() => this.load())
    },
    async load() {
      const data = await request(documents.WalletOverview)
      if (!data.me) throw new Error('请先完成实名认证')
      if (!this.data.policy) {
        const found = await request(documents.RegionPolicy, { regionCode: data.me.insuredRegion.code })
        this.setData({ policy: found.regionPolicy.policy })
      }
      const granted = nodes(data.authorizationsGranted).map((a) => authorizationView(a, false))
      const activeFor = new Set(granted.filter((a) => a.active).map((a) => a.relative.id))
      const seen = {}
      const relatives = []
      // only whom the server marks authorizable: the group settles an allowed relationship (R3)
      for (const group of data.myFamilyGroups) {
        for (const m of group.members) {
          if (!m.authorizable || seen[m.person.id]) continue
          seen[m.person.id] = true
          relatives.push({
            ...m.person,
            groupName: group.name,
            insuranceLabel: label(INSURANCE_TYPE, m.person.insuranceType),
            authorized: activeFor.has(m.person.id),
          })
        }
      }
      this.setData({
        me: data.me,
        wallet: data.myWallet,
        granted,
        received: nodes(data.authorizationsReceived).map((a) => authorizationView(a, true)),
        relatives,
        residents: relatives.filter((r) => r.insuranceType === 'RESIDENT'),
      })
    },
    openWallet() {
      return this.run(async () => {
        const data = await request(documents.OpenWallet)
        const error = firstError(data.openWallet)
        if (error) return this.fail(error)
        await this.load()
        this.setData({ notice: '医保钱包已开通' })
      })
    },
    transfer() {
      return this.run(async () => {
        // One key per intended transfer: a retry after a network failure cannot move money twice.
        const key = this.data.transferKey || this.newKey('transfer')
        this.setData({ transferKey: key })
        const data = await request(documents.TransferToWallet, { amount: this.data.amount, idempotencyKey: key })
        const error = firstError(data.transferToWallet)
        if (error) {
          this.setData({ transferKey: '' })
          return this.fail(error)
        }
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
        this.setData({ notice: `已授权${e.currentTarget.dataset.name}${data.authorizeFamilyMember.authorization.quota}元` })
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
      // either side ends it (R9): the authorizer here, or the relative from "received"
      return this.run(async () => {
        const mine = e.currentTarget.dataset.side === 'granted'
        if (!(await this.confirm(mine ? '解除授权？未使用的额度将退回您的钱包' : '结束这项共济授权？您将不能再使用这笔额度'))) return
        const data = await request(documents.RevokeAuthorization, { authorizationId: e.currentTarget.dataset.id })
        const error = firstError(data.revokeAuthorization)
        if (error) return this.fail(error)
        await this.load()
        this.setData({ notice: mine ? '已解除授权，未使用额度已退回钱包' : '已结束该共济授权' })
      })
    },
    payPremium(e) {
      return this.run(async () => {
        const key = this.data.premiumKey || this.newKey('premium')
        this.setData({ premiumKey: key })
        const data = await request(documents.PayResidentPremium, {
          relativeId: e.currentTarget.dataset.id,
          year: Number(this.data.premiumYear),
          amount: this.data.premiumAmount,
          idempotencyKey: key,
        })
        this.setData({ premiumKey: '' })
        const error = firstError(data.payResidentPremium)
        if (error) return this.fail(error)
        const premium = data.payResidentPremium.premium
        await this.load()
        this.setData({ notice: `已为${premium.relative.name}代缴${premium.year}年度居民医保费${premium.amount}元` })
      })
    },
  },
})
