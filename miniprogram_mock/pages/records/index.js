// 医保使用记录: filter by insured region 参保地, visit type 就诊类型 and year 年度.
const { request } = require('../../utils/graphql')
const { label, VISIT_TYPE, RECORD_KIND } = require('../../utils/labels')
const documents = require('../../graphql/documents')
const page = require('../../utils/page')
const { dateTime } = require('../../utils/format')

function recordView(r) {
  return {
    ...r,
    when: dateTime(r.occurredAt),
    kindLabel: label(RECORD_KIND, r.kind),
    visitLabel: label(VISIT_TYPE, r.visitType),
  }
}

const VISITS = [
  { value: '', label: '全部' },
  ...['OUTPATIENT', 'CHRONIC_OUTPATIENT', 'INPATIENT', 'PHARMACY'].map((value) => ({ value, label: VISIT_TYPE[value] })),
]
const ROLES = [
  { value: '', label: '全部' },
  { value: 'AS_PATIENT', label: '我本人就医' },
  { value: 'AS_AUTHORIZER', label: '我的共济资金' },
]

Component({
  behaviors: [page],
  data: {
    visits: VISITS, roles: ROLES, visitIndex: 0, roleIndex: 0, region: '', year: '',
    records: [], totalCount: 0, sums: null, cursor: null, hasNext: false,
  },
  methods: {
    onLoad() {
      return this.search()
    },
    pickVisit(e) {
      this.setData({ visitIndex: Number(e.detail.value) })
    },
    pickRole(e) {
      this.setData({ roleIndex: Number(e.detail.value) })
    },
    filter() {
      const f = {}
      if (this.data.region) f.insuredRegion = this.data.region
      if (this.data.year) f.year = Number(this.data.year)
      if (VISITS[this.data.visitIndex].value) f.visitType = VISITS[this.data.visitIndex].value
      if (ROLES[this.data.roleIndex].value) f.role = ROLES[this.data.roleIndex].value
      return f
    },
    search() {
      return this.run(() => this.fetch(null))
    },
    more() {
      return this.run(() => this.fetch(this.data.cursor))
    },
    async fetch(after) {
      // A refused filter is a top-level error: request() rejects and run() shows its message.
      const data = await request(documents.UsageRecords, { filter: this.filter(), first: 20, after })
      const r = data.usageRecords
      const nodes = r.edges.map((e) => recordView(e.node))
      this.setData({
        records: after ? this.data.records.concat(nodes) : nodes,
        totalCount: r.totalCount, sums: r.sums,
        cursor: r.pageInfo.endCursor, hasNext: r.pageInfo.hasNextPage,
      })
    },
  },
})
