// Render a page with miniprogram-simulate against the live server, as a given demo user.
const path = require('path')
const { createWx, httpRequest } = require('../mock/wx')

// Call in beforeEach: a component loaded twice in one module registry renders undefined.
function fresh() {
  jest.resetModules()
}

// A user at their phone. A second user in the same test gets a fresh module registry (a page
// renders once per registry) and takes over the one global `wx`: go back to the first user's
// pages only after calling setup for them again.
function setup(loginCode, options = {}) {
  jest.resetModules()
  const simulate = require('miniprogram-simulate')
  const wx = createWx({ apiBase: process.env.GONGJI_API, loginCode, ...options })
  global.wx = Object.assign(global.wx || {}, wx)
  return { simulate, wx: global.wx }
}

async function settle(simulate, comp) {
  await simulate.sleep(0)
  for (let i = 0; i < 300 && comp.data.busy; i++) await simulate.sleep(10)
  if (comp.data.busy) throw new Error('page still busy')
}

const ROOT = path.join(__dirname, '..')

async function open(simulate, name, query = {}) {
  // the pure-JS template compiler: the official one keeps global state between components;
  // rootPath resolves the pages' "/components/…" the way WeChat does
  const id = simulate.load(path.join(ROOT, 'pages', name, 'index'), { compiler: 'simulate', rootPath: ROOT })
  const comp = simulate.render(id)
  comp.attach(document.createElement('parent-wrapper'))
  comp.instance.onLoad(query)
  await settle(simulate, comp)
  return comp
}

// The id of the item named `name` in a page's list (the pages give each row's button an id
// made of the item's id: `#authorize-<person id>`).
function idOf(list, name, key = 'name') {
  const found = list.find((item) => (typeof key === 'function' ? key(item) : item[key]) === name)
  if (!found) throw new Error(`no ${name} in ${JSON.stringify(list.map((i) => i[key] || i.id))}`)
  return found.id
}

function texts(comp, selector) {
  return comp.querySelectorAll(selector).map((n) => n.dom.textContent.trim())
}

async function tap(simulate, comp, selector) {
  const node = comp.querySelector(selector)
  if (!node) throw new Error(`nothing matches ${selector}`)
  node.dispatchEvent('tap')
  await settle(simulate, comp)
}

function type(comp, selector, value) {
  const node = comp.querySelector(selector)
  if (!node) throw new Error(`nothing matches ${selector}`)
  node.dispatchEvent('input', { detail: { value } })
}

function text(comp, selector) {
  const node = comp.querySelector(selector)
  return node ? node.dom.textContent.trim() : null
}

async function loginAs(simulate, wx) {
  const comp = await open(simulate, 'login')
  await tap(simulate, comp, '#login')
  return comp
}

// What a partner system does over the API with its key (or a token): one GraphQL call.
async function graphql(token, query, variables) {
  const res = await httpRequest(`${process.env.GONGJI_API}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  })
  return JSON.parse(res.text)
}

// What a partner hospital does: bill a patient over the API with its key.
async function bill(apiKey, input) {
  const res = await httpRequest(`${process.env.GONGJI_API}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', Authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({
      query: 'mutation($i:CreateBillInput!){createBill(input:$i){bill{id} errors{code}}}',
      variables: { i: input },
    }),
  })
  const body = JSON.parse(res.text)
  if (body.data.createBill.errors.length) throw new Error(JSON.stringify(body.data.createBill.errors))
  return body.data.createBill.bill.id
}

module.exports = { fresh, setup, open, tap, type, text, texts, settle, loginAs, bill, idOf, graphql }
