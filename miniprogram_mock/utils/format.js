// Display helpers. Money arrives from the server as a yuan string ("1234.50"): it is only
// regrouped for reading, never computed with (no float touches money in the page).

// "1234.50" → "1,234.50"; "-60.00" → "-60.00"
function yuan(amount) {
  if (amount === null || amount === undefined || amount === '') return ''
  const text = String(amount)
  const negative = text.startsWith('-')
  const [whole, cents = '00'] = (negative ? text.slice(1) : text).split('.')
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${negative ? '-' : ''}${grouped}.${(cents + '00').slice(0, 2)}`
}

// An ISO instant as the calendar day and time in China (UTC+8, no daylight saving).
function chinaTime(iso) {
  const at = new Date(new Date(iso).getTime() + 8 * 3600 * 1000)
  const pad = (n) => String(n).padStart(2, '0')
  return {
    date: `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`,
    time: `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`,
  }
}

function date(iso) {
  return iso ? chinaTime(iso).date : ''
}

function dateTime(iso) {
  if (!iso) return ''
  const t = chinaTime(iso)
  return `${t.date} ${t.time}`
}

module.exports = { yuan, date, dateTime }
