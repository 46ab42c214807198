// 张伟 authorizes his mother; a Zhengzhou hospital bills her; she pays from the page; both
// see the record under the right filters. Quota exhausted and excluded items show as errors.
const { fresh, setup, open, tap, type, text, loginAs, bill } = require('./helpers')

beforeEach(fresh)

const HOSPITAL_KEY = 'gjk_demo_H41010500002'
const MOTHER = { patientName: '王秀英', patientIdNumber: '410102195001080426' }
const YEAR = new Date().getFullYear()

function outpatient(ref, items, hifpPay = '0') {
  const cents = items.reduce((sum, i) => sum + Math.round(Number(i.amount) * 100), 0)
  return {
    externalRef: ref, ...MOTHER, visitType: 'OUTPATIENT', items,
    medfeeSumamt: (cents / 100).toFixed(2), hifpPay, fulamtOwnpayAmt: '0',
  }
}

test('the authorizer authorizes his mother 500 yuan', async () => {
  const { simulate, wx } = setup('demo-zhangwei')
  await loginAs(simulate, wx)
  const wallet = await open(simulate, 'wallet')
  expect(text(wallet, '#available')).toBe('3000.00')
  expect(wallet.dom.textContent).toContain('王秀英')
  type(wallet, '#quota', '500')
  await tap(simulate, wallet, '.authorize')
  expect(text(wallet, '#notice')).toBe('已授权500.00元')
  expect(text(wallet, '#available')).toBe('2500.00')
  expect(text(wallet, '#reserved')).toBe('500.00')
})

test('she pays a bill; the fitness item is left to cash', async () => {
  await bill(HOSPITAL_KEY, outpatient('MP-0001', [
    { name: '阿莫西林胶囊', category: 'DRUG', amount: '86.00' },
    { name: '血常规', category: 'EXAMINATION', amount: '34.00' },
    { name: '康复健身指导', category: 'FITNESS', amount: '80.00' },
  ], '60.00'))
  const { simulate, wx } = setup('demo-wangxiuying')
  await loginAs(simulate, wx)
  const pay = await open(simulate, 'pay')
  expect(pay.dom.textContent).toContain('郑州市中心医院')
  expect(text(pay, '.remaining')).toBe('500.00')
  await tap(simulate, pay, '.pay')
  expect(text(pay, '#notice')).toBe('共济支付60.00元，个人现金80.00元')
  expect(text(pay, '#excluded')).toContain('康复健身指导')
  expect(text(pay, '.remaining')).toBe('440.00')
})

test('quota exceeded and excluded-only bills are refused on the page', async () => {
  await bill(HOSPITAL_KEY, outpatient('MP-0002', [{ name: '住院药品', category: 'DRUG', amount: '900.00' }]))
  const { simulate, wx } = setup('demo-wangxiuying')
  await loginAs(simulate, wx)
  const pay = await open(simulate, 'pay')
  await tap(simulate, pay, '.pay')
  expect(text(pay, '#notice')).toBe('共济支付440.00元，个人现金460.00元')

  await bill(HOSPITAL_KEY, outpatient('MP-0003', [{ name: '药品', category: 'DRUG', amount: '10.00' }]))
  await pay.instance.load()
  await tap(simulate, pay, '.pay')
  expect(text(pay, '#error')).toBe('共济额度已用完')
})

test("an all-fitness bill is refused with its own reason", async () => {
  // 艾力's child in Urumqi still has quota
  const { simulate: s2, wx: wx2 } = setup('demo-ayiguli')
  await bill('gjk_demo_H65010200001', {
    externalRef: 'MP-FIT', patientName: '阿依古丽', patientIdNumber: '650102201209050288',
    visitType: 'OUTPATIENT', items: [{ name: '健身课程', category: 'FITNESS', amount: '300.00' }],
    medfeeSumamt: '300.00', hifpPay: '0', fulamtOwnpayAmt: '0',
  })
  await loginAs(s2, wx2)
  const childPay = await open(s2, 'pay')
  await tap(s2, childPay, '.pay')
  expect(text(childPay, '#error')).toContain('该账单没有可用共济资金支付的费用')
})

test('the patient sees her records under region, visit type and year', async () => {
  const { simulate, wx } = setup('demo-wangxiuying')
  await loginAs(simulate, wx)
  const mine = await open(simulate, 'records')
  type(mine, '#year', String(YEAR))
  type(mine, '#region', '410000')
  mine.querySelector('#visit').dispatchEvent('change', { detail: { value: 1 } }) // 普通门诊
  mine.querySelector('#role').dispatchEvent('change', { detail: { value: 1 } }) // 我本人就医
  await tap(simulate, mine, '#search')
  expect(text(mine, '#total-count')).toBe('2')
  expect(text(mine, '#family-total')).toBe('500.00')
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

test('wallet: transfer in (or the quiet-hours rule), change and revoke', async () => {
  const { simulate, wx } = setup('demo-zhangwei')
  await loginAs(simulate, wx)
  const wallet = await open(simulate, 'wallet')
  type(wallet, '#amount', '100')
  await tap(simulate, wallet, '#transfer')
  const hour = (new Date().getUTCHours() + 8) % 24
  if (hour >= 22 || hour < 6) expect(text(wallet, '#error')).toBe('22:00至次日06:00不能划转')
  else expect(text(wallet, '#notice')).toBe('已划转100.00元')

  type(wallet, '#quota', '100')
  await tap(simulate, wallet, '.change')
  expect(text(wallet, '#error')).toBe('额度不能低于已使用的500.00元')
  type(wallet, '#quota', '800')
  await tap(simulate, wallet, '.change')
  expect(text(wallet, '#notice')).toBe('额度已改为800.00元')
  await tap(simulate, wallet, '.revoke')
  expect(text(wallet, '#notice')).toBe('已解除授权，未使用额度已退回钱包')
  expect(text(wallet, '#reserved')).toBe('0.00')
})
