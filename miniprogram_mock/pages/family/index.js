// 家庭共济组: create with the commitment letter; the creator invites (relationships the region
// allows), withdraws invitations and removes relatives; an invitee accepts (with their own face
// from the region's consent age, nothing to retype) or declines; any member leaves.
const { request, firstError, nodes } = require('../../utils/graphql')
const documents = require('../../graphql/documents')
const { label, RELATIONSHIP, ROLE } = require('../../utils/labels')
const { dateTime } = require('../../utils/format')
const wxp = require('../../utils/wxp')
const page = require('../../utils/page')

function groupView(group, meId, sent) {
  return {
    id: group.id,
    name: group.name,
    canInvite: group.canInvite,
    isMember: true,
    members: group.members.map((m) => ({
      id: m.person.id,
      name: m.person.name,
      idNumber: m.person.idNumber,
      isMe: m.person.id === meId,
      label: m.role === 'CREATOR' ? label(ROLE, m.role) : label(RELATIONSHIP, m.relationship),
      removable: group.canInvite && m.role !== 'CREATOR',
    })),
    sent: sent.filter((i) => i.groupId === group.id),
  }
}

Component({
  behaviors: [page],
  data: {
    me: null,
    policy: null,
    relations: [],
    letter: null,
    acceptLetter: false,
    groups: [],
    invitations: [],
    groupName: '',
    inviteName: '',
    inviteIdNumber: '',
    relationIndex: 0,
  },
  methods: {
    onLoad() {
      return this.run(() => this.load())
    },
    async load() {
      const data = await request(documents.FamilyOverview)
      if (!data.me) throw new Error('请先完成实名认证')
      if (!this.data.policy) {
        const found = await request(documents.RegionPolicy, { regionCode: data.me.insuredRegion.code })
        const policy = found.regionPolicy.policy
        const relations = policy.allowedRelationships.map((value) => ({ value, label: label(RELATIONSHIP, value) }))
        this.setData({ policy, relations })
      }
      const pending = nodes(data.myInvitations).map((i) => ({
        ...i,
        relationshipLabel: label(RELATIONSHIP, i.relationship),
        expires: dateTime(i.expiresAt),
      }))
      this.setData({
        me: data.me,
        letter: data.commitmentLetter,
        groups: data.myFamilyGroups.map((g) => groupView(g, data.me.id, pending.filter((i) => i.sentByMe))),
        invitations: pending.filter((i) => !i.sentByMe),
      })
    },
    toggleLetter(e) {
      this.setData({ acceptLetter: e.detail.value.length > 0 })
    },
    pickRelation(e) {
      this.setData({ relationIndex: Number(e.detail.value) })
    },
    createGroup() {
      return this.run(async () => {
        const data = await request(documents.CreateFamilyGroup, {
          input: {
            name: this.data.groupName,
            acceptCommitment: this.data.acceptLetter,
            commitmentVersion: this.data.letter.version,
          },
        })
        const error = firstError(data.createFamilyGroup)
        if (error) return this.fail(error)
        await this.load()
        this.setData({ notice: '家庭已创建' })
      })
    },
    invite(e) {
      return this.run(async () => {
        const data = await request(documents.InviteFamilyMember, {
          input: {
            groupId: e.currentTarget.dataset.group,
            name: this.data.inviteName,
            idNumber: this.data.inviteIdNumber,
            relationship: this.data.relations[this.data.relationIndex].value,
          },
        })
        const error = firstError(data.inviteFamilyMember)
        if (error) return this.fail(error)
        const invitation = data.inviteFamilyMember.invitation
        await this.load()
        const age = this.data.policy.consentAge
        this.setData({
          notice: invitation.status === 'ACCEPTED'
            ? `${invitation.inviteeName}未满${age}周岁，已直接加入家庭`
            : `已邀请${invitation.inviteeName}，等待对方确认`,
        })
      })
    },
    revokeInvitation(e) {
      return this.run(async () => {
        const data = await request(documents.RevokeInvitation, { invitationId: e.currentTarget.dataset.id })
        const error = firstError(data.revokeInvitation)
        if (error) return this.fail(error)
        await this.load()
        this.setData({ notice: `已撤回对${data.revokeInvitation.invitation.inviteeName}的邀请` })
      })
    },
    accept(e) {
      return this.run(async () => {
        const invitation = this.data.invitations.find((i) => i.id === e.currentTarget.dataset.id)
        let verifyId = null
        if (invitation.requiresFaceVerification) {
          // the server knows who I am: my own face, nothing to retype (R4)
          const started = await request(documents.StartFaceVerification, {})
          const error = firstError(started.startFaceVerification)
          if (error) return this.fail(error)
          verifyId = started.startFaceVerification.verifyId
          await wxp.faceScan(verifyId)
        }
        const data = await request(documents.AcceptInvitation, { invitationId: invitation.id, verifyId })
        const error = firstError(data.acceptInvitation)
        if (error) return this.fail(error)
        await this.load()
        this.setData({ notice: `已加入${data.acceptInvitation.group.name}` })
      })
    },
    decline(e) {
      return this.run(async () => {
        const invitation = this.data.invitations.find((i) => i.id === e.currentTarget.dataset.id)
        if (!(await this.confirm(`拒绝${invitation.inviterName}的邀请？`))) return
        const data = await request(documents.DeclineInvitation, { invitationId: invitation.id })
        const error = firstError(data.declineInvitation)
        if (error) return this.fail(error)
        await this.load()
        this.setData({ notice: `已拒绝加入${invitation.groupName}` })
      })
    },
    remove(e) {
      return this.run(async () => {
        const { group, member, name } = e.currentTarget.dataset
        if (!(await this.confirm(`将${name}移出家庭？相关共济授权将同时解除`))) return
        const data = await request(documents.RemoveFamilyMember, { groupId: group, memberId: member })
        const error = firstError(data.removeFamilyMember)
        if (error) return this.fail(error)
        await this.load()
        this.setData({ notice: `已将${name}移出家庭` })
      })
    },
    leave(e) {
      return this.run(async () => {
        const group = this.data.groups.find((g) => g.id === e.currentTarget.dataset.group)
        const question = group.canInvite ? `您是创建人，退出将解散${group.name}，确定吗？` : `退出${group.name}？`
        if (!(await this.confirm(question))) return
        const data = await request(documents.LeaveFamilyGroup, { groupId: group.id })
        const error = firstError(data.leaveFamilyGroup)
        if (error) return this.fail(error)
        await this.load()
        this.setData({ notice: '已退出家庭，相关授权已解除' })
      })
    },
  },
})
