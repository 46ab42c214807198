// 共济政策: the region's family mutual-aid policy in plain words (regionPolicy), for the
// member's insured region or any region code they type.
const { request, firstError } = require('../../utils/graphql')
const documents = require('../../graphql/documents')
const page = require('../../utils/page')

Component({
  behaviors: [page],
  data: { region: '', policy: null },
  methods: {
    onLoad(query) {
      const region = (query && query.region) || ''
      this.setData({ region })
      return this.run(async () => {
        if (!region) {
          const data = await request(documents.Me)
          if (data.me) this.setData({ region: data.me.insuredRegion.code })
        }
        if (this.data.region) await this.load()
      })
    },
    async load() {
      const data = await request(documents.RegionPolicy, { regionCode: this.data.region })
      const error = firstError(data.regionPolicy)
      if (error) {
        this.setData({ policy: null })
        return this.fail(error)
      }
      this.setData({ policy: data.regionPolicy.policy })
    },
    search() {
      return this.run(() => this.load())
    },
  },
})
