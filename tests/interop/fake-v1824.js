// fake-v1824.js - a discovery v4 peer that acts toward a crawler as
// go-ethereum v1.8.24's bootnode does, for tests/interop/crawl-v1824.bats.
// Packets are encoded by @ethereumjs/devp2p (tests/interop's node_modules).
//   PING       a PONG, and a PING back until that one's PONG comes
//   ENRRequest dropped: v1.8.24 knows no packet type 5
//   FINDNODE   the first from each node dropped (as "unknown node", which
//              v1.8.24 says while our pong is not in); later ones answered
//              with NEIGHBORS naming the --neighbors nodes (12 a packet),
//              none by default: v1.8.24 hands out only nodes it has
//              revalidated, so a young bootnode often has nobody to give.
//              With --made-up N every FINDNODE, the first too, is answered
//              with N nodes made up for it: fresh keys, 127.0.0.1 and
//              ports from 20000 up that nobody listens on (a hostile
//              node filling a crawl with one subnet).
//   --enr-of ENR answers ENRRequest (EIP-868, which v1.8.24 lacks) with
//              that record, signed by whatever key it names: a node
//              whose record is not its own.
// It prints NDJSON on stdout, one record per packet:
//   {"type":"listening","udp":P}
//   {"type":"ping"|"pong"|"enrrequest","from":"IP:PORT"}
//   {"type":"findnode","from":"IP:PORT","answered":BOOL,"nodes":N}
//
// Usage: node fake-v1824.js KEYHEX [--neighbors ENODES] [--made-up N]
//                           [--enr-of ENR] [--timeout MS]
'use strict'
const dgram = require('dgram')

const devp2p = require(require.resolve('@ethereumjs/devp2p', {
  paths: [__dirname],
}))
const { secp256k1 } = require(require.resolve('ethereum-cryptography/secp256k1', {
  paths: [__dirname],
}))
const { keccak256 } = require(require.resolve('ethereum-cryptography/keccak', {
  paths: [__dirname],
}))
const { RLP } = require(require.resolve('@ethereumjs/rlp', { paths: [__dirname] }))

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const hex = (b) => Buffer.from(b).toString('hex')
const die = (msg) => {
  process.stderr.write(`fake-v1824.js: ${msg}\n`)
  process.exit(2)
}

const args = process.argv.slice(2)
if (!/^[0-9a-f]{64}$/i.test(args[0] || '')) die('usage: node fake-v1824.js KEYHEX [options]')
const key = Uint8Array.from(Buffer.from(args[0], 'hex'))
const opt = { neighbors: [], madeUp: 0, timeout: 60000, enrOf: null }
for (let i = 1; i < args.length; i += 2) {
  if (args[i] === '--neighbors') opt.neighbors = args[i + 1].split(',').filter((s) => s)
  else if (args[i] === '--made-up') opt.madeUp = Number(args[i + 1])
  else if (args[i] === '--timeout') opt.timeout = Number(args[i + 1])
  else if (args[i] === '--enr-of') opt.enrOf = args[i + 1]
  else die(`unknown option ${args[i]}`)
}
if (!Number.isInteger(opt.madeUp) || opt.madeUp < 0 || opt.madeUp > 16) die('--made-up takes 0 to 16')

const give = opt.neighbors.map((s) => {
  const m = /^enode:\/\/([0-9a-f]{128})@([0-9.]+):(\d+)(?:\?discport=(\d+))?$/i.exec(s)
  if (!m) die(`bad enode ${s}`)
  return {
    id: Uint8Array.from(Buffer.from(m[1], 'hex')),
    address: m[2],
    // ethereumjs writes a port as two bytes: 0 would be 0x0000, which an
    // RLP decoder rejects (a leading zero); null is the empty string.
    tcpPort: Number(m[3]) || null,
    udpPort: Number(m[4] || m[3]),
  }
})

// --made-up: a node nobody runs.  Only loopback addresses: the crawler
// asks every node it is given, and these must reach no one.
let madeUpCount = 0
function madeUp() {
  const pub = secp256k1.getPublicKey(secp256k1.utils.randomPrivateKey(), false)
  const port = 20000 + (madeUpCount++ % 40000)
  return { id: pub.subarray(1), address: '127.0.0.1', tcpPort: port, udpPort: port }
}

const sock = dgram.createSocket('udp4')
const pingsOut = new Map() // hash of our ping-back -> node id
const bonded = new Set() // node ids whose pong came
const asked = new Map() // node id -> findnodes seen

function send(rinfo, type, data) {
  const msg = devp2p.encode(type, data, key)
  sock.send(msg, rinfo.port, rinfo.address)
  return hex(msg.subarray(0, 32))
}

// An ENRResponse (type 6) by hand, as discv4.md lays a packet out:
// hash || signature || type || rlp([request hash, record]).
function enrResponse(rinfo, reqHash) {
  const b64 = opt.enrOf.replace(/^enr:/, '').replace(/-/g, '+').replace(/_/g, '/')
  const record = RLP.decode(Uint8Array.from(Buffer.from(b64, 'base64')))
  const body = Buffer.concat([Buffer.from([6]), RLP.encode([reqHash, record])])
  const sig = secp256k1.sign(keccak256(body), key)
  const sigb = Buffer.concat([Buffer.from(sig.toCompactRawBytes()), Buffer.from([sig.recovery])])
  const hash = keccak256(Buffer.concat([sigb, body]))
  sock.send(Buffer.concat([Buffer.from(hash), sigb, body]), rinfo.port, rinfo.address)
}

sock.on('message', (msg, rinfo) => {
  const from = `${rinfo.address}:${rinfo.port}`
  let info
  if (opt.enrOf !== null && msg.length > 97 && msg[97] === 5) {
    out({ type: 'enrrequest', from, answered: true })
    enrResponse(rinfo, Uint8Array.from(msg.subarray(0, 32)))
    return
  }
  try {
    info = devp2p.decode(Uint8Array.from(msg))
  } catch (err) {
    // v1.8.24: "Bad discv4 packet ... unknown type: 5"
    if (msg.length > 97 && msg[97] === 5) out({ type: 'enrrequest', from })
    else out({ type: 'error', from, error: String(err.message) })
    return
  }
  const id = hex(devp2p.pk2id(info.publicKey))
  const self = { address: '127.0.0.1', udpPort: sock.address().port, tcpPort: sock.address().port }
  switch (info.typename) {
    case 'ping':
      out({ type: 'ping', from })
      send(rinfo, 'pong', {
        to: { address: rinfo.address, udpPort: rinfo.port, tcpPort: info.data.from.tcpPort },
        hash: msg.subarray(0, 32),
      })
      if (!bonded.has(id)) {
        const to = { address: rinfo.address, udpPort: rinfo.port, tcpPort: null }
        pingsOut.set(send(rinfo, 'ping', { version: 4, from: self, to }), id)
      }
      break
    case 'pong': {
      out({ type: 'pong', from })
      const h = hex(info.data.hash)
      if (pingsOut.get(h) === id) bonded.add(id)
      pingsOut.delete(h)
      break
    }
    case 'findneighbours': {
      const n = (asked.get(id) || 0) + 1
      asked.set(id, n)
      if (opt.madeUp > 0) {
        const peers = Array.from({ length: opt.madeUp }, madeUp)
        for (let i = 0; i < peers.length; i += 12)
          send(rinfo, 'neighbours', { peers: peers.slice(i, i + 12) })
        out({ type: 'findnode', from, answered: true, nodes: peers.length })
        break
      }
      if (n === 1 || !bonded.has(id)) {
        out({ type: 'findnode', from, answered: false, nodes: 0 })
        break
      }
      for (let i = 0; i === 0 || i < give.length; i += 12)
        send(rinfo, 'neighbours', { peers: give.slice(i, i + 12) })
      out({ type: 'findnode', from, answered: true, nodes: give.length })
      break
    }
  }
})

// The first packet signed and the first checked cost node.js ten times
// what later ones do (compiling, precomputed tables): paid here, before
// "listening", the first reply is no later than the rest, and a crawler's
// reply timeout on a loaded machine meets the replies it expects.
const ep = { address: '127.0.0.1', udpPort: 1, tcpPort: 1 }
devp2p.decode(devp2p.encode('ping', { version: 4, from: ep, to: ep }, key))
devp2p.decode(devp2p.encode('neighbours', { peers: give.slice(0, 12) }, key))

sock.on('listening', () => out({ type: 'listening', udp: sock.address().port }))
sock.bind(0, '127.0.0.1')
setTimeout(() => process.exit(0), opt.timeout)
