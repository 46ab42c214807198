// 登录与实名认证: wx.login → login(code); then face verification links the insured record.
// Logged in: who I am, the region policy, and logout.
const { request, firstError } = require('../../utils/graphql')
const documents = require('../../graphql/documents')
const { label, INSURANCE_TYPE } = require('../../utils/labels')
const wxp = require('../../utils/wxp')
const page = require('../../utils/page')

Component({
  behaviors: [page],
  data: { loggedIn: false, me: null, name: '', idNumber: '' },
  methods: {
    onLoad() {
      if (wx.getStorageSync('token')) return this.run(() => this.refresh())
    },
    async refresh() {
      const data = await request(documents.Me)
      const me = data.me && { ...data.me, insuranceLabel: label(INSURANCE_TYPE, data.me.insuranceType) }
      this.setData({ loggedIn: true, me })
    },
    login() {
      return this.run(async () => {
        const { code } = await wxp.login()
        const data = await request(documents.Login, { code })
        const error = firstError(data.login)
        if (error) return this.fail(error)
        wx.setStorageSync('token', data.login.token)
        await this.refresh()
        this.setData({ notice: data.login.verified ? '登录成功' : '登录成功，请完成实名认证' })
      })
    },
    verify() {
      return this.run(async () => {
        const started = await request(documents.StartFaceVerification, {
          name: this.data.name,
          idNumber: this.data.idNumber,
        })
        const error = firstError(started.startFaceVerification)
        if (error) return this.fail(error)
        const verifyId = started.startFaceVerification.verifyId
        await wxp.faceScan(verifyId)
        const result = await request(documents.VerifyIdentity, { verifyId })
        const failed = firstError(result.verifyIdentity)
        if (failed) return this.fail(failed)
        await this.refresh()
        this.setData({ notice: '实名认证成功' })
      })
    },
    policy() {
      const region = this.data.me ? this.data.me.insuredRegion.code : ''
      return wxp.navigateTo(`/pages/policy/index?region=${region}`)
    },
    logout() {
      return this.run(async () => {
        const data = await request(documents.Logout)
        const error = firstError(data.logout)
        if (error) return this.fail(error)
        wx.removeStorageSync('token')
        this.setData({ loggedIn: false, me: null, name: '', idNumber: '', notice: '已退出登录' })
      })
    },
  },
})
