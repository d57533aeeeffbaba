// dpt.js - an @ethereumjs/devp2p discovery v4 node (its DPT) for p2pcore's
// interop tests.  It listens on 127.0.0.1 and advertises the explicit
// endpoint 127.0.0.1:UDP:TCP (its default would be 0.0.0.0), optionally
// bootstraps from enode URLs, and prints NDJSON on stdout:
//   {"type":"listening","id":HEX128,"udp":P,"tcp":P}
//   {"type":"peer:added","id":HEX128,"address":IP,"udp":P,"tcp":P}
//   {"type":"peer:removed", ...same fields}
//   {"type":"error","error":TEXT}   (ping timeouts and the like)
// DNS discovery stays off (and its resolver is pointed at 127.0.0.1).
//
// Usage: node dpt.js KEYHEX [options]
// Options: --udp P            UDP port (default 0: a free one)
//          --tcp P            TCP port advertised (default: the UDP port;
//                             DPT keys its table by ip:tcpPort, so every
//                             node on 127.0.0.1 needs its own)
//          --bootnodes LIST   enode URLs to bootstrap from, comma-separated
//          --refresh MS       ask every table entry for neighbours every MS
//                             (DPT's refreshInterval; default 60000)
//          --timeout MS       exit 0 after MS (default 20000)
'use strict'
const { DPT } = require('@ethereumjs/devp2p')

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const hex = (b) => Buffer.from(b).toString('hex')
const fromHex = (s) => Uint8Array.from(Buffer.from(s.replace(/^0x/, ''), 'hex'))
const die = (msg) => {
  process.stderr.write(`dpt.js: ${msg}\n`)
  process.exit(2)
}

const args = process.argv.slice(2)
if (!/^[0-9a-f]{64}$/i.test(args[0] || '')) die('usage: node dpt.js KEYHEX [options]')
const opt = { udp: 0, tcp: null, bootnodes: [], refresh: 60000, timeout: 20000 }
for (let i = 1; i < args.length; i++) {
  const v = args[i + 1]
  if (args[i] === '--udp') opt.udp = Number(v)
  else if (args[i] === '--tcp') opt.tcp = Number(v)
  else if (args[i] === '--bootnodes') opt.bootnodes = v.split(',').filter((s) => s)
  else if (args[i] === '--refresh') opt.refresh = Number(v)
  else if (args[i] === '--timeout') opt.timeout = Number(v)
  else die(`unknown option ${args[i]}`)
  i++
}

// enode://PUB@IP:TCP[?discport=UDP] -> a DPT peer.
function parseEnode(s) {
  const m = /^enode:\/\/([0-9a-f]{128})@([0-9.]+):(\d+)(?:\?discport=(\d+))?$/i.exec(s)
  if (!m) die(`bad enode ${s}`)
  const tcpPort = Number(m[3])
  return { id: fromHex(m[1]), address: m[2], tcpPort, udpPort: m[4] ? Number(m[4]) : tcpPort }
}
const boots = opt.bootnodes.map(parseEnode)

// The Server keeps this very object and sends it as the ping's "from": the
// ports are filled in once the socket is bound, before anything is sent.
const endpoint = { address: '127.0.0.1', udpPort: null, tcpPort: null }
const dpt = new DPT(fromHex(args[0]), {
  endpoint,
  refreshInterval: opt.refresh,
  shouldGetDnsPeers: false,
  dnsAddr: '127.0.0.1',
  timeout: 2000,
})

const peerRecord = (type, p) => ({
  type,
  id: hex(p.id),
  address: p.address,
  udp: p.udpPort ?? null,
  tcp: p.tcpPort ?? null,
})
dpt.events.on('peer:added', (p) => out(peerRecord('peer:added', p)))
dpt.events.on('peer:removed', (p) => out(peerRecord('peer:removed', p)))
dpt.events.on('error', (err) => out({ type: 'error', error: String(err?.message ?? err) }))
dpt.events.on('listening', () => {
  endpoint.udpPort = dpt._server._socket.address().port
  endpoint.tcpPort = opt.tcp ?? endpoint.udpPort
  out({ type: 'listening', id: hex(dpt.id), udp: endpoint.udpPort, tcp: endpoint.tcpPort })
  for (const b of boots) dpt.bootstrap(b)
})

setTimeout(() => {
  dpt.destroy()
  process.exit(0)
}, opt.timeout)
dpt.bind(opt.udp, '127.0.0.1')
