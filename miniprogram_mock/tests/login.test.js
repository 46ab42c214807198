// Login, identity verification by face, the region policy in plain words, and logout.
const { fresh, setup, open, tap, type, text, texts, loginAs } = require('./helpers')

beforeEach(fresh)

test('login shows the verified member, masked, with labels in Chinese', async () => {
  const { simulate, wx } = setup('demo-lina')
  const login = await loginAs(simulate, wx)
  expect(text(login, '#me-name')).toBe('李娜')
  expect(text(login, '#me-insurance')).toBe('职工医保')
  expect(login.dom.textContent).toContain('620103********0228')
  expect(wx.getStorageSync('token')).toMatch(/^gjs_/)
})

test('a new WeChat user verifies identity by face: failed, cancelled, then passed', async () => {
  const { simulate, wx } = setup('demo-zhaomin', { faceResult: 'fail' })
  const login = await loginAs(simulate, wx)
  expect(text(login, '#notice')).toBe('登录成功，请完成实名认证')
  expect(login.querySelector('#policy')).toBeFalsy() // nothing to show before verification
  type(login, '#name', '赵敏')
  type(login, '#id-number', '440305199002140463')
  await tap(simulate, login, '#verify')
  expect(text(login, '#error')).toBe('人脸核身未通过')
  wx.__state.faceResult = 'cancel'
  await tap(simulate, login, '#verify')
  expect(text(login, '#error')).toBe('用户取消人脸核身')
  wx.__state.faceResult = 'pass'
  await tap(simulate, login, '#verify')
  expect(text(login, '#notice')).toBe('实名认证成功')
  expect(text(login, '#me-name')).toBe('赵敏')
})

test('a wrong name and ID number is refused with the server\'s message', async () => {
  const { simulate, wx } = setup('mock-stranger-login')
  const login = await loginAs(simulate, wx)
  type(login, '#name', '赵敏')
  type(login, '#id-number', '440305199002140471')
  await tap(simulate, login, '#verify')
  expect(text(login, '#error')).not.toBe('')
  expect(wx.__toasts).toContain(text(login, '#error'))
})

test('the member reads the policy of their insured region in plain words', async () => {
  const { simulate, wx } = setup('demo-lijianguo')
  const login = await loginAs(simulate, wx)
  await tap(simulate, login, '#policy')
  expect(wx.__navigations).toEqual(['/pages/policy/index?region=620100'])
  const policy = await open(simulate, 'policy', { region: '620100' })
  expect(text(policy, '#policy-region')).toContain('甘肃省兰州市')
  const sentences = texts(policy, '.summary')
  expect(sentences.join()).toContain('年满16周岁的亲属须人脸核身后加入')
  expect(sentences.join()).toContain('配偶的父母等姻亲不在范围内')
  type(policy, '#region', '12')
  await tap(simulate, policy, '#search')
  expect(text(policy, '#error')).toContain('行政区划代码无效')
  expect(policy.querySelector('#policy')).toBeFalsy()
})

test('logout ends the session on the server and on the phone', async () => {
  const { simulate, wx } = setup('demo-lijianguo')
  const login = await loginAs(simulate, wx)
  const token = wx.getStorageSync('token')
  await tap(simulate, login, '#logout')
  expect(text(login, '#notice')).toBe('已退出登录')
  expect(wx.getStorageSync('token')).toBe('')
  expect(login.querySelector('#login')).toBeTruthy()
  // the old token no longer works: a page opened with it asks the user to log in
  wx.setStorageSync('token', token)
  const family = await open(simulate, 'family')
  expect(text(family, '#error')).toBe('请先登录')
})
