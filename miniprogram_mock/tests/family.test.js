// 李娜 creates a family, invites her children and (wrongly) her mother-in-law; the 17-year-old
// accepts with face verification while the 12-year-old joins at once.
const { fresh, setup, open, tap, type, text, loginAs } = require('./helpers')

beforeEach(fresh)

const XIAOMING = '620102201406010132' // 12
const XIAOYU = '620102200904180244' // 17
const MOTHER_IN_LAW = '410102195001080426'

test('login shows the verified member, masked', async () => {
  const { simulate, wx } = setup('demo-lina')
  const login = await loginAs(simulate, wx)
  expect(text(login, '#me-name')).toBe('李娜')
  expect(login.dom.textContent).toContain('620103********0228')
  expect(wx.getStorageSync('token')).toMatch(/^gjs_/)
})

test('a new WeChat user verifies identity by face before anything else', async () => {
  const { simulate, wx } = setup('demo-zhaomin', { faceResult: 'fail' })
  const login = await loginAs(simulate, wx)
  expect(text(login, '#notice')).toBe('登录成功，请完成实名认证')
  type(login, '#name', '赵敏')
  type(login, '#id-number', '440305199002140463')
  await tap(simulate, login, '#verify')
  expect(text(login, '#error')).toBe('人脸核身未通过')
  wx.__state.faceResult = 'pass'
  await tap(simulate, login, '#verify')
  expect(text(login, '#notice')).toBe('实名认证成功')
  expect(text(login, '#me-name')).toBe('赵敏')
})

test('create, invite, and the in-law refusal shows on the page', async () => {
  const { simulate, wx } = setup('demo-lina')
  await loginAs(simulate, wx)
  const family = await open(simulate, 'family')
  expect(family.dom.textContent).toContain('家庭共济承诺书')
  type(family, '#group-name', '李娜的家')
  await tap(simulate, family, '#create')
  expect(text(family, '#error')).toBe('请阅读并同意《家庭共济承诺书》')
  family.querySelector('#accept-letter').dispatchEvent('change', { detail: { value: ['yes'] } })
  await tap(simulate, family, '#create')
  expect(text(family, '#notice')).toBe('家庭已创建')

  type(family, '.invite-name', '张小明')
  type(family, '.invite-id', XIAOMING)
  await tap(simulate, family, '.invite')
  expect(text(family, '#notice')).toBe('张小明未满16周岁，已直接加入家庭')

  type(family, '.invite-name', '张晓雨')
  type(family, '.invite-id', XIAOYU)
  await tap(simulate, family, '.invite')
  expect(text(family, '#notice')).toBe('已邀请张晓雨，等待对方确认')

  type(family, '.invite-name', '王秀英')
  type(family, '.invite-id', MOTHER_IN_LAW)
  family.querySelector('.relation').dispatchEvent('change', { detail: { value: 6 } }) // 配偶的父母
  await tap(simulate, family, '.invite')
  expect(text(family, '#error')).toBe('配偶的父母等姻亲不在家庭共济范围内')
  expect(wx.__toasts).toContain('配偶的父母等姻亲不在家庭共济范围内')
  expect(family.querySelectorAll('.member').map((m) => m.dom.textContent)).toEqual([
    expect.stringContaining('李娜'),
    expect.stringContaining('张小明'),
  ])
})

test('the 17-year-old accepts only with a passed face verification', async () => {
  const { simulate, wx } = setup('demo-zhangxiaoyu', { faceResult: 'fail' })
  await loginAs(simulate, wx)
  const family = await open(simulate, 'family')
  expect(family.dom.textContent).toContain('年满16周岁须人脸核身')
  type(family, '.verify-name', '张晓雨')
  type(family, '.verify-id', XIAOYU)
  await tap(simulate, family, '.accept')
  expect(text(family, '#error')).toBe('人脸核身未通过')
  wx.__state.faceResult = 'pass'
  await tap(simulate, family, '.accept')
  expect(text(family, '#notice')).toBe('已加入李娜的家')
  const members = family.querySelectorAll('.member').map((m) => m.dom.textContent)
  expect(members.join()).toContain('张晓雨')
  expect(members.join()).toContain('620102********0244')
})

test('the 12-year-old can leave the family from the page', async () => {
  const { simulate, wx } = setup('demo-zhangxiaoming')
  await loginAs(simulate, wx)
  const family = await open(simulate, 'family')
  expect(family.querySelectorAll('.leave')).toHaveLength(1) // his only family: 李娜的家
  expect(family.dom.textContent).toContain('李娜的家')
  await tap(simulate, family, '.leave')
  expect(text(family, '#notice')).toBe('已退出家庭，相关授权已解除')
  expect(family.querySelectorAll('.title').map((t) => t.dom.textContent)).not.toContain('李娜的家')
})
