// The wallet page: opening a wallet only where the member has a personal account, transfers,
// a spouse authorizing the group's creator, the relative ending an authorization, and 代缴.
const { fresh, setup, open, tap, type, text, loginAs, idOf } = require('./helpers')

beforeEach(fresh)

const LINA = '620103197808220228'
const quietHours = () => {
  const hour = (new Date().getUTCHours() + 8) % 24
  return hour >= 22 || hour < 6
}

test('an employee-insured member opens her wallet, then transfers (or meets the rules)', async () => {
  const { simulate, wx } = setup('demo-guli')
  await loginAs(simulate, wx)
  const wallet = await open(simulate, 'wallet')
  expect(wallet.querySelector('#transfer')).toBeFalsy() // no wallet yet: nothing to transfer into
  expect(wallet.querySelector('#closed-wallet').dom.textContent).toContain('¥1,600.00')
  await tap(simulate, wallet, '#open-wallet')
  expect(text(wallet, '#notice')).toBe('医保钱包已开通')
  expect(wallet.querySelector('#open-wallet')).toBeFalsy()
  expect(text(wallet, '#available')).toBe('¥0.00')

  type(wallet, '#amount', '2500')
  await tap(simulate, wallet, '#transfer')
  expect(text(wallet, '#error')).toBe(quietHours() ? '22:00至次日06:00不能划转' : '单笔划转不能超过2000.00元')
  type(wallet, '#amount', '100')
  await tap(simulate, wallet, '#transfer')
  if (quietHours()) expect(text(wallet, '#error')).toBe('22:00至次日06:00不能划转')
  else {
    expect(text(wallet, '#notice')).toBe('已划转100.00元')
    expect(text(wallet, '#available')).toBe('¥100.00')
  }
})

test('a resident-insured member is offered no wallet and no authorizing', async () => {
  const { simulate, wx } = setup('demo-ayiguli')
  await loginAs(simulate, wx)
  const wallet = await open(simulate, 'wallet')
  expect(text(wallet, '#no-account')).toContain('城乡居民医保没有个人账户')
  for (const absent of ['#open-wallet', '#transfer', '#authorize', '#premium']) {
    expect(wallet.querySelector(absent)).toBeFalsy()
  }
  expect(text(wallet, '#received')).toContain('艾力·买买提（父母）')
})

test('a spouse joins and authorizes the group\'s creator; in-laws are not offered', async () => {
  const { simulate, wx } = setup('demo-zhangwei')
  await loginAs(simulate, wx)
  const family = await open(simulate, 'family')
  const group = family.data.groups.find((g) => g.name === '张伟的家')
  type(family, '.invite-name', '李娜')
  type(family, '.invite-id', LINA)
  family.querySelector('.relation').dispatchEvent('change', {
    detail: { value: family.data.relations.findIndex((r) => r.value === 'SPOUSE') },
  })
  await tap(simulate, family, `#invite-${group.id}`)
  expect(text(family, '#notice')).toBe('已邀请李娜，等待对方确认')

  const { simulate: s2, wx: wx2 } = setup('demo-lina')
  await loginAs(s2, wx2)
  const hers = await open(s2, 'family')
  await tap(s2, hers, `#accept-${idOf(hers.data.invitations, '张伟的家', 'groupName')}`)
  expect(text(hers, '#notice')).toBe('已加入张伟的家')

  const { simulate: s3, wx: wx3 } = setup('demo-lina')
  await loginAs(s3, wx3)
  const wallet = await open(s3, 'wallet')
  const relatives = wallet.data.relatives
  // 张伟's mother is her mother-in-law: never offered (R3)
  expect(relatives.map((r) => r.name)).toContain('张伟')
  expect(relatives.map((r) => r.name)).not.toContain('王秀英')
  type(wallet, '#quota', '100')
  await tap(s3, wallet, `#authorize-${idOf(relatives, '张伟')}`)
  expect(text(wallet, '#notice')).toBe('已授权张伟100.00元')
  expect(wallet.querySelector(`#authorize-${idOf(relatives, '张伟')}`)).toBeFalsy() // granted now
  expect(wallet.dom.textContent).toContain('张伟（配偶）')
  type(wallet, '#quota', '5000') // more than her wallet holds
  await tap(s3, wallet, `#change-${wallet.data.granted.find((a) => a.relative.name === '张伟').id}`)
  expect(text(wallet, '#error')).toBe('钱包可用余额不足')
})

test('the relative ends an authorization he received', async () => {
  const { simulate, wx } = setup('demo-zhangwei')
  await loginAs(simulate, wx)
  const wallet = await open(simulate, 'wallet')
  const fromLina = wallet.data.received.find((a) => a.authorizer.name === '李娜')
  expect(text(wallet, '#received')).toContain('李娜（配偶）')
  wx.__state.confirm = false
  await tap(simulate, wallet, `#end-${fromLina.id}`)
  expect(wallet.data.received.find((a) => a.id === fromLina.id).status).toBe('ACTIVE')
  wx.__state.confirm = true
  await tap(simulate, wallet, `#end-${fromLina.id}`)
  expect(wx.__toasts).toContain('结束这项共济授权？您将不能再使用这笔额度')
  expect(text(wallet, '#notice')).toBe('已结束该共济授权')
  expect(wallet.querySelector(`#end-${fromLina.id}`)).toBeFalsy()
  expect(wallet.data.received.find((a) => a.id === fromLina.id).statusLabel).toBe('已解除')
})

test('a parent pays the child\'s resident premium once a year (代缴)', async () => {
  const { simulate, wx } = setup('demo-aili')
  await loginAs(simulate, wx)
  const wallet = await open(simulate, 'wallet')
  const child = idOf(wallet.data.residents, '阿依古丽')
  expect(wallet.data.residents.map((r) => r.name)).toEqual(['阿依古丽']) // 古丽 is employee-insured
  type(wallet, '#premium-amount', '380')
  await tap(simulate, wallet, `#premium-${child}`)
  const year = wallet.data.premiumYear
  expect(text(wallet, '#notice')).toBe(`已为阿依古丽代缴${year}年度居民医保费380.00元`)
  expect(text(wallet, '#available')).toBe('¥420.00') // 1,000 − 200 reserved − 380
  await tap(simulate, wallet, `#premium-${child}`)
  expect(text(wallet, '#error')).toBe(`该亲属${year}年度的居民医保费已缴纳`)
})
