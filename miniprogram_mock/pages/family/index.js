// 家庭共济组: create with the commitment letter, invite, accept (face verification from 16), leave.
const { request, firstError, nodes } = require('../../utils/graphql')
const documents = require('../../graphql/documents')
const wxp = require('../../utils/wxp')
const page = require('../../utils/page')

const RELATIONS = [
  { value: 'SPOUSE', label: '配偶' },
  { value: 'PARENT', label: '父母' },
  { value: 'CHILD', label: '子女' },
  { value: 'SIBLING', label: '兄弟姐妹' },
  { value: 'GRANDPARENT', label: '祖父母/外祖父母' },
  { value: 'GRANDCHILD', label: '孙子女/外孙子女' },
  { value: 'SPOUSE_PARENT', label: '配偶的父母' },
]

Component({
  behaviors: [page],
  data: {
    relations: RELATIONS,
    letter: null,
    acceptLetter: false,
    groups: [],
    invitations: [],
    groupName: '',
    inviteName: '',
    inviteIdNumber: '',
    relationIndex: 2,
    verifyName: '',
    verifyIdNumber: '',
  },
  methods: {
    onLoad() {
      return this.run(() => this.load())
    },
    async load() {
      const data = await request(documents.FamilyOverview)
      this.setData({
        letter: data.commitmentLetter,
        groups: data.myFamilyGroups,
        invitations: nodes(data.myInvitations).filter((i) => !i.sentByMe),
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
            relationship: RELATIONS[this.data.relationIndex].value,
          },
        })
        const error = firstError(data.inviteFamilyMember)
        if (error) return this.fail(error)
        const invitation = data.inviteFamilyMember.invitation
        await this.load()
        this.setData({
          notice: invitation.status === 'ACCEPTED'
            ? `${invitation.inviteeName}未满16周岁，已直接加入家庭`
            : `已邀请${invitation.inviteeName}，等待对方确认`,
        })
      })
    },
    accept(e) {
      return this.run(async () => {
        const invitation = this.data.invitations.find((i) => i.id === e.currentTarget.dataset.id)
        let verifyId = null
        if (invitation.requiresFaceVerification) {
          const started = await request(documents.StartFaceVerification, {
            name: this.data.verifyName,
            idNumber: this.data.verifyIdNumber,
          })
          const error = firstError(started.startFaceVerification)
          if (error) return this.fail(error)
          verifyId = started.startFaceVerification.verifyId
          await wxp.requestFacialVerify(verifyId)
        }
        const data = await request(documents.AcceptInvitation, { invitationId: invitation.id, verifyId })
        const error = firstError(data.acceptInvitation)
        if (error) return this.fail(error)
        await this.load()
        this.setData({ notice: `已加入${data.acceptInvitation.group.name}` })
      })
    },
    leave(e) {
      return this.run(async () => {
        const data = await request(documents.LeaveFamilyGroup, { groupId: e.currentTarget.dataset.group })
        const error = firstError(data.leaveFamilyGroup)
        if (error) return this.fail(error)
        await this.load()
        this.setData({ notice: '已退出家庭，相关授权已解除' })
      })
    },
  },
})
