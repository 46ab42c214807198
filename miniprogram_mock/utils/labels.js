// Chinese labels for the server's enum values: the pages never show a raw code such as CHILD.
const RELATIONSHIP = {
  SPOUSE: '配偶',
  PARENT: '父母',
  CHILD: '子女',
  SIBLING: '兄弟姐妹',
  GRANDPARENT: '祖父母/外祖父母',
  GRANDCHILD: '孙子女/外孙子女',
  SPOUSE_PARENT: '配偶的父母',
  OTHER_IN_LAW: '其他姻亲',
}
// Authorization.relationship is the relative's to the authorizer; the relative reads the
// authorizer's to them (a CHILD sees a parent).
const INVERSE = {
  SPOUSE: 'SPOUSE', PARENT: 'CHILD', CHILD: 'PARENT', SIBLING: 'SIBLING',
  GRANDPARENT: 'GRANDCHILD', GRANDCHILD: 'GRANDPARENT',
}
const ROLE = { CREATOR: '创建人', RELATIVE: '家庭成员' }
const AUTHORIZATION_STATUS = { ACTIVE: '有效', REVOKED: '已解除', ENDED: '已终止' }
const INVITATION_STATUS = {
  PENDING: '待确认', ACCEPTED: '已加入', DECLINED: '已拒绝', REVOKED: '已撤回', EXPIRED: '已过期',
}
const BILL_STATUS = { OPEN: '待支付', PAID: '已支付', PARTIALLY_REFUNDED: '部分退款', REFUNDED: '已退款' }
const VISIT_TYPE = {
  OUTPATIENT: '普通门诊',
  CHRONIC_OUTPATIENT: '门诊慢特病',
  INPATIENT: '普通住院',
  PHARMACY: '定点药店购药',
}
const RECORD_KIND = { PAYMENT: '共济支付', REFUND: '退款', PREMIUM: '代缴医保费', WALLET_TRANSFER: '钱包划转' }
const INSURANCE_TYPE = { EMPLOYEE: '职工医保', RESIDENT: '城乡居民医保' }
const SHARING_SCOPE = { CITY: '本市', PROVINCE: '本省', NATIONWIDE: '全国' }

function label(table, value) {
  return value ? table[value] || value : ''
}

module.exports = {
  RELATIONSHIP, INVERSE, ROLE, AUTHORIZATION_STATUS, INVITATION_STATUS, BILL_STATUS, VISIT_TYPE,
  RECORD_KIND, INSURANCE_TYPE, SHARING_SCOPE, label,
}
