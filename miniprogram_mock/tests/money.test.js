// 张伟 authorizes his mother; a Zhengzhou hospital bills her; she chooses whose money, sees the
// server's preview of the split, confirms, and sees the result; refusals show before paying.
// At a counter a one-time payment code settles; both sides see the records, dated and labelled.
const { fresh, setup, open, tap, type, text, texts, loginAs, bill, idOf, graphql } = require('./helpers')

beforeEach(fresh)

const HOSPITAL_KEY = 'gjk_demo_H41010500002'
const URUMQI_KEY = 'gjk_demo_H65010200001'
const MOTHER = { patientName: '王秀英', patientIdNumber: '410102195001080426' }
const CHILD = { patientName: '阿依古丽', patientIdNumber: '650102201209050288' }
const YEAR = new Date().getFullYear()

function outpatient(ref, items, hifpPay = '0', patient = MOTHER) {
  const cents = items.reduce((sum, i) => sum + Math.round(Number(i.amount) * 100), 0)
  return {
    externalRef: ref, ...patient, visitType: 'OUTPATIENT', items,
    medfeeSumamt: (cents / 100).toFixed(2), hifpPay, fulamtOwnpayAmt: '0',
  }
}

test('the authorizer authorizes his mother 500 yuan', async () => {
  const { simulate, wx } = setup('demo-zhangwei')
  await loginAs(simulate, wx)
  const wallet = await open(simulate, 'wallet')
  expect(text(wallet, '#available')).toBe('¥3,000.00')
  type(wallet, '#quota', '500')
  await tap(simulate, wallet, `#authorize-${idOf(wallet.data.relatives, '王秀英')}`)
  expect(text(wallet, '#notice')).toBe('已授权王秀英500.00元')
  expect(text(wallet, '#available')).toBe('¥2,500.00')
  expect(text(wallet, '#reserved')).toBe('¥500.00')
  expect(wallet.dom.textContent).toContain('王秀英（父母）')
})

test('she previews the split from the server, cancels, then confirms and sees the result', async () => {
  const billId = await bill(HOSPITAL_KEY, outpatient('MP-0001', [
    { name: '阿莫西林胶囊', category: 'DRUG', amount: '86.00' },
    { name: '血常规', category: 'EXAMINATION', amount: '34.00' },
    { name: '康复健身指导', category: 'FITNESS', amount: '80.00' },
  ], '60.00'))
  const { simulate, wx } = setup('demo-wangxiuying')
  await loginAs(simulate, wx)
  const pay = await open(simulate, 'pay')
  expect(pay.dom.textContent).toContain('郑州市中心医院')
  expect(pay.dom.textContent).toContain('普通门诊')
  expect(text(pay, '.remaining')).toBe('¥500.00')
  expect(text(pay, `#choose-${pay.data.chosen}`)).toContain('● 张伟（子女）') // he is her son
  await tap(simulate, pay, `#preview-${billId}`)
  expect(text(pay, '#preview-family')).toBe('¥60.00')
  expect(text(pay, '#preview-cash')).toBe('¥80.00')
  expect(texts(pay, '.excluded-line')).toEqual(['康复健身指导：体育健身不能用共济资金支付，由个人现金支付（R15）。'])
  expect(texts(pay, '.note')).toContain('本次共济支付60.00元，个人现金支付80.00元。')
  await tap(simulate, pay, '#cancel')
  expect(pay.querySelector('#preview')).toBeFalsy()
  expect(text(pay, '.remaining')).toBe('¥500.00') // a preview pays nothing

  await tap(simulate, pay, `#preview-${billId}`)
  await tap(simulate, pay, '#confirm')
  expect(text(pay, '#notice')).toBe('共济支付60.00元，个人现金80.00元')
  expect(text(pay, '#family-paid')).toBe('¥60.00')
  expect(text(pay, '#excluded')).toContain('康复健身指导')
  expect(text(pay, '.remaining')).toBe('¥440.00')
  expect(pay.querySelector(`#preview-${billId}`)).toBeFalsy() // paid: no longer offered
})

test('the preview explains the quota cap; an exhausted quota is refused before paying', async () => {
  const big = await bill(HOSPITAL_KEY, outpatient('MP-0002', [{ name: '住院药品', category: 'DRUG', amount: '900.00' }]))
  const { simulate, wx } = setup('demo-wangxiuying')
  await loginAs(simulate, wx)
  const pay = await open(simulate, 'pay')
  await tap(simulate, pay, `#preview-${big}`)
  expect(texts(pay, '.note')).toContain('共济额度仅剩440.00元，超出的460.00元由个人现金支付（R11）。')
  await tap(simulate, pay, '#confirm')
  expect(text(pay, '#notice')).toBe('共济支付440.00元，个人现金460.00元')

  const more = await bill(HOSPITAL_KEY, outpatient('MP-0003', [{ name: '药品', category: 'DRUG', amount: '10.00' }]))
  await pay.instance.load()
  await tap(simulate, pay, `#preview-${more}`)
  expect(text(pay, '#error')).toBe('共济额度已用完')
  expect(pay.querySelector('#confirm')).toBeFalsy()
})

test('an all-fitness bill is refused in the preview with its own reason', async () => {
  const fitness = await bill(URUMQI_KEY, outpatient('MP-FIT', [{ name: '健身课程', category: 'FITNESS', amount: '300.00' }], '0', CHILD))
  const { simulate, wx } = setup('demo-ayiguli')
  await loginAs(simulate, wx)
  const pay = await open(simulate, 'pay')
  await tap(simulate, pay, `#preview-${fitness}`)
  expect(text(pay, '#error')).toContain('该账单没有可用共济资金支付的费用')
  expect(pay.querySelector('#confirm')).toBeFalsy()
})

test('at the counter: a one-time payment code settles once', async () => {
  const { simulate, wx } = setup('demo-ayiguli')
  await loginAs(simulate, wx)
  const pay = await open(simulate, 'pay')
  await tap(simulate, pay, '#show-code')
  const code = pay.data.paymentCode.code
  expect(code).toMatch(/^\d{18}$/)
  expect(text(pay, '#payment-code')).toContain('仅限本人就医使用一次')
  const settle = (ref) => graphql(URUMQI_KEY,
    'mutation($i:SettleWithPaymentCodeInput!,$k:String!){settleWithPaymentCode(input:$i,idempotencyKey:$k){payment{acctMulaidPay} errors{code}}}',
    { i: { ...outpatient(ref, [{ name: '布洛芬', category: 'DRUG', amount: '20.00' }], '0', CHILD), paymentCode: code }, k: `counter-${ref}` })
  const first = await settle('MP-CODE-1')
  expect(first.data.settleWithPaymentCode.payment.acctMulaidPay).toBe('20.00')
  const again = await settle('MP-CODE-2')
  expect(again.data.settleWithPaymentCode.errors[0].code).toBe('PAYMENT_CODE_USED')
})

test('someone with no authorization and no bills sees empty states, not buttons', async () => {
  const { simulate, wx } = setup('demo-lijianguo')
  await loginAs(simulate, wx)
  const pay = await open(simulate, 'pay')
  expect(pay.dom.textContent).toContain('暂无可用的共济授权')
  expect(pay.dom.textContent).toContain('暂无待支付账单')
  expect(pay.querySelector('#show-code')).toBeFalsy()
})

test('the patient sees her records, dated and labelled, under region, visit type and year', async () => {
  const { simulate, wx } = setup('demo-wangxiuying')
  await loginAs(simulate, wx)
  const mine = await open(simulate, 'records')
  type(mine, '#year', String(YEAR))
  type(mine, '#region', '410000')
  mine.querySelector('#visit').dispatchEvent('change', { detail: { value: 1 } }) // 普通门诊
  mine.querySelector('#role').dispatchEvent('change', { detail: { value: 1 } }) // 我本人就医
  await tap(simulate, mine, '#search')
  expect(text(mine, '#total-count')).toBe('2')
  expect(text(mine, '#family-total')).toBe('¥500.00')
  for (const when of texts(mine, '.when')) expect(when).toMatch(new RegExp(`^${YEAR}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`))
  expect(texts(mine, '.kind')).toEqual(['普通门诊', '普通门诊'])
  type(mine, '#year', '2001')
  await tap(simulate, mine, '#search')
  expect(mine.dom.textContent).toContain('没有符合条件的记录')
})

test('the authorizer sees every use of his money, under the patient\'s insured region', async () => {
  const { simulate: s2, wx: wx2 } = setup('demo-zhangwei')
  await loginAs(s2, wx2)
  const his = await open(s2, 'records')
  type(his, '#region', '410000') // his mother is insured in Henan
  his.querySelector('#role').dispatchEvent('change', { detail: { value: 2 } }) // 我的共济资金
  await tap(s2, his, '#search')
  const rows = his.querySelectorAll('.record').map((r) => r.dom.textContent)
  expect(rows.filter((r) => r.includes('郑州市中心医院') && r.includes('王秀英'))).toHaveLength(2)
  type(his, '#region', '620000') // Gansu is his own region, not hers: none of her visits
  await tap(s2, his, '#search')
  const gansu = his.querySelectorAll('.record').map((r) => r.dom.textContent)
  expect(gansu.filter((r) => r.includes('王秀英'))).toHaveLength(0)
  type(his, '#region', '12') // a refused filter: the server's message, in Chinese
  await tap(s2, his, '#search')
  expect(text(his, '#error')).toContain('行政区划代码无效')
})

test('wallet: the authorizer changes (not below what is spent) and revokes', async () => {
  const { simulate, wx } = setup('demo-zhangwei')
  await loginAs(simulate, wx)
  const wallet = await open(simulate, 'wallet')
  const toMother = wallet.data.granted.find((a) => a.relative.name === '王秀英' && a.active).id
  type(wallet, '#quota', '100')
  await tap(simulate, wallet, `#change-${toMother}`)
  expect(text(wallet, '#error')).toBe('额度不能低于已使用的500.00元')
  type(wallet, '#quota', '800')
  await tap(simulate, wallet, `#change-${toMother}`)
  expect(text(wallet, '#notice')).toBe('额度已改为800.00元')
  await tap(simulate, wallet, `#revoke-${toMother}`)
  expect(text(wallet, '#notice')).toBe('已解除授权，未使用额度已退回钱包')
  expect(text(wallet, '#reserved')).toBe('¥0.00')
})
