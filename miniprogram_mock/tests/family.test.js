// 李娜 creates a family and invites; the region's policy decides who joins directly and which
// relationships are offered; invitations are withdrawn, declined and accepted by face; the
// creator removes a member and a child leaves.
const { fresh, setup, open, tap, type, text, texts, loginAs, idOf } = require('./helpers')

beforeEach(fresh)

const XIAOMING = '620102201406010132' // 12
const XIAOYU = '620102200904180244' // 17
const FATHER = '620103195109130312' // 李建国, her father
const MOTHER_IN_LAW = '410102195001080426' // 王秀英

function pick(family, relationship) {
  const index = family.data.relations.findIndex((r) => r.value === relationship)
  family.querySelector('.relation').dispatchEvent('change', { detail: { value: index } })
}

function group(family, name) {
  return family.data.groups.find((g) => g.name === name)
}

async function invite(simulate, family, name, idNumber, relationship) {
  type(family, '.invite-name', name)
  type(family, '.invite-id', idNumber)
  pick(family, relationship)
  await tap(simulate, family, `#invite-${group(family, '李娜的家').id}`)
}

test('create, invite by the region policy, and refusals show on the page', async () => {
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

  // in-laws are never offered: the picker lists only what the region allows, in Chinese
  expect(family.data.relations.map((r) => r.label)).not.toContain('配偶的父母')
  expect(family.data.relations.map((r) => r.label)).toContain('子女')
  expect(family.dom.textContent).toContain('年满16周岁的亲属须本人人脸核身后加入')

  await invite(simulate, family, '张小明', XIAOMING, 'CHILD')
  expect(text(family, '#notice')).toBe('张小明未满16周岁，已直接加入家庭')
  await invite(simulate, family, '张晓雨', XIAOYU, 'CHILD')
  expect(text(family, '#notice')).toBe('已邀请张晓雨，等待对方确认')

  await invite(simulate, family, '王秀英', MOTHER_IN_LAW, 'CHILD') // born 1950: not her child
  expect(text(family, '#error')).toBe('所选关系与双方身份证上的出生日期不符')
  expect(wx.__toasts).toContain('所选关系与双方身份证上的出生日期不符')
  await invite(simulate, family, '张小明', '620102201406010133', 'CHILD') // a typo in the number
  expect(text(family, '#error')).toContain('身份证号码无效')

  const members = group(family, '李娜的家').members
  expect(members.map((m) => `${m.name}:${m.label}`)).toEqual(['李娜:创建人', '张小明:子女'])
  expect(texts(family, '.member-label')).toContain('子女')
})

test('the creator withdraws an invitation, invites again, and her father declines', async () => {
  const { simulate, wx } = setup('demo-lina')
  await loginAs(simulate, wx)
  const family = await open(simulate, 'family')
  await invite(simulate, family, '李建国', FATHER, 'PARENT')
  expect(text(family, '#notice')).toBe('已邀请李建国，等待对方确认')
  const sent = group(family, '李娜的家').sent
  expect(sent.map((s) => s.inviteeName).sort()).toEqual(['张晓雨', '李建国'])
  await tap(simulate, family, `#revoke-invitation-${idOf(sent, '李建国', 'inviteeName')}`)
  expect(text(family, '#notice')).toBe('已撤回对李建国的邀请')
  await invite(simulate, family, '李建国', FATHER, 'PARENT')

  const { simulate: s2, wx: wx2 } = setup('demo-lijianguo')
  await loginAs(s2, wx2)
  const his = await open(s2, 'family')
  expect(his.dom.textContent).toContain('李娜邀请您以父母身份加入李娜的家')
  wx2.__state.confirm = false // he hesitates: nothing happens
  await tap(s2, his, `#decline-${idOf(his.data.invitations, '李娜的家', 'groupName')}`)
  expect(his.data.invitations).toHaveLength(1)
  wx2.__state.confirm = true
  await tap(s2, his, `#decline-${idOf(his.data.invitations, '李娜的家', 'groupName')}`)
  expect(text(his, '#notice')).toBe('已拒绝加入李娜的家')
  expect(his.data.invitations).toHaveLength(0)
  expect(his.dom.textContent).toContain('您还没有加入任何家庭')
})

test('the 17-year-old accepts with her own face, nothing to retype; she cannot invite', async () => {
  const { simulate, wx } = setup('demo-zhangxiaoyu', { faceResult: 'fail' })
  await loginAs(simulate, wx)
  const family = await open(simulate, 'family')
  expect(family.dom.textContent).toContain('您已年满16周岁，同意时须本人人脸核身')
  expect(family.querySelector('.verify-name')).toBeFalsy()
  const accept = `#accept-${idOf(family.data.invitations, '李娜的家', 'groupName')}`
  await tap(simulate, family, accept)
  expect(text(family, '#error')).toBe('人脸核身未通过')
  wx.__state.faceResult = 'pass'
  await tap(simulate, family, accept)
  expect(text(family, '#notice')).toBe('已加入李娜的家')
  const mine = group(family, '李娜的家')
  expect(mine.members.map((m) => m.name)).toContain('张晓雨')
  expect(family.dom.textContent).toContain('620102********0244')
  // not the creator: no invite form, no remove buttons, and she leaves rather than dissolves
  expect(mine.canInvite).toBe(false)
  expect(family.querySelector('.invite-form')).toBeFalsy()
  expect(family.querySelector('.remove')).toBeFalsy()
  expect(text(family, `#leave-${mine.id}`)).toBe('退出家庭')
})

test('the creator removes a member; the 12-year-old leaves by himself', async () => {
  const { simulate, wx } = setup('demo-lina')
  await loginAs(simulate, wx)
  const family = await open(simulate, 'family')
  const mine = group(family, '李娜的家')
  await tap(simulate, family, `#remove-${idOf(mine.members, '张晓雨')}`)
  expect(wx.__toasts).toContain('将张晓雨移出家庭？相关共济授权将同时解除')
  expect(text(family, '#notice')).toBe('已将张晓雨移出家庭')
  expect(group(family, '李娜的家').members.map((m) => m.name)).toEqual(['李娜', '张小明'])

  const { simulate: s2, wx: wx2 } = setup('demo-zhangxiaoming')
  await loginAs(s2, wx2)
  const his = await open(s2, 'family')
  const hisGroup = group(his, '李娜的家')
  await tap(s2, his, `#leave-${hisGroup.id}`)
  expect(text(his, '#notice')).toBe('已退出家庭，相关授权已解除')
  expect(texts(his, '.group-name')).not.toContain('李娜的家')
})
