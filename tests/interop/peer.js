// peer.js - a scriptable @ethereumjs/devp2p peer for p2pcore's interop
// tests.  It runs a made-up capability "foo/1" (ethereumjs's eth needs a
// chain; see ../../../shared/notes/ethereumjs-devp2p.md) and prints what it
// sees as NDJSON on stdout:
//   {"type":"listening","port":P,"id":HEX}
//   {"type":"added","hello":{version,name,caps,port,id},"protocols":[..]}
//   {"type":"msg","cap":"foo/1","code":N,"data":"0x.."}
//   {"type":"removed","reason":N,"by_us":bool}
//
// Usage: node peer.js listen KEYHEX [options]
//        node peer.js dial KEYHEX ENODE [options]
// Options: --caps foo/1,bar/1   capabilities (each 16 codes long)
//          --greet              send foo code 2 [b"ethereumjs"] on connect
//          --disconnect N       disconnect with reason N after the first
//                               foo message received (after echoing it)
//          --timeout MS         exit 1 after MS (default 20000)
// A foo message with code 0 is echoed back with code 1, same payload.
'use strict'
const { RLPx } = require('@ethereumjs/devp2p')
const { RLP } = require('@ethereumjs/rlp')
const snappy = require('snappyjs')

function out(o) {
  process.stdout.write(JSON.stringify(o) + '\n')
}
const hex = (b) => Buffer.from(b).toString('hex')
const fromHex = (s) => Uint8Array.from(Buffer.from(s.replace(/^0x/, ''), 'hex'))

const args = process.argv.slice(2)
const mode = args[0]
const key = fromHex(args[1])
let enode = null
let i = 2
if (mode === 'dial') enode = args[i++]
const opt = { caps: 'foo/1', greet: false, disconnect: null, timeout: 20000 }
for (; i < args.length; i++) {
  if (args[i] === '--caps') opt.caps = args[++i]
  else if (args[i] === '--greet') opt.greet = true
  else if (args[i] === '--disconnect') opt.disconnect = Number(args[++i])
  else if (args[i] === '--timeout') opt.timeout = Number(args[++i])
  else {
    process.stderr.write(`peer.js: unknown option ${args[i]}\n`)
    process.exit(2)
  }
}

// A sub-protocol object as ethereumjs instantiates it: (version, peer, send).
function makeCap(name) {
  return class {
    constructor(version, peer, send) {
      this.version = version
      this.peer = peer
      this.send = (code, payload) => {
        if (peer._hello !== null && peer._hello.protocolVersion >= 5) {
          payload = snappy.compress(payload)
        }
        send(code, payload)
      }
      this.name = `${name}/${version}`
    }
    _handleMessage(code, data) {
      out({ type: 'msg', cap: this.name, code, data: '0x' + hex(data) })
      if (code === 0) this.send(1, data)
      if (opt.disconnect !== null) {
        setTimeout(() => this.peer.disconnect(opt.disconnect), 100)
      }
    }
  }
}
const capabilities = opt.caps.split(',').map((c) => {
  const [name, version] = c.split('/')
  return { name, version: Number(version), length: 16, constructor: makeCap(name) }
})

async function main() {
// ethereumjs puts listenPort into its Hello as given; 0 would go out as the
// non-canonical integer 0x00, which go-ethereum and p2pcore refuse.  So a
// listener first finds a free port to announce.
let port = null
if (mode === 'listen') {
  port = await new Promise((resolve) => {
    const s = require('net').createServer()
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port
      s.close(() => resolve(p))
    })
  })
}
const rlpx = new RLPx(key, {
  capabilities,
  maxPeers: 5,
  listenPort: port,
  timeout: 10000,
})
rlpx.events.on('peer:added', (peer) => {
  const h = peer.getHelloMessage()
  out({
    type: 'added',
    hello: {
      version: h.protocolVersion,
      name: h.clientId,
      caps: h.capabilities.map((c) => `${c.name}/${c.version}`),
      port: h.port,
      id: hex(h.id),
    },
    protocols: peer.getProtocols().map((p) => p.name),
  })
  if (opt.greet) {
    const foo = peer.getProtocols().find((p) => p.name.startsWith('foo/'))
    if (foo) foo.send(2, RLP.encode([Buffer.from('ethereumjs')]))
  }
})
rlpx.events.on('peer:removed', (peer, reason, byUs) => {
  out({ type: 'removed', reason: Number(reason), by_us: byUs === true })
  setTimeout(() => process.exit(0), 50)
})
rlpx.events.on('peer:error', (peer, err) => {
  out({ type: 'peer_error', error: String(err && err.message ? err.message : err) })
})
rlpx.events.on('error', (err) => {
  out({ type: 'error', error: String(err && err.message ? err.message : err) })
})

setTimeout(() => {
  out({ type: 'timeout' })
  process.exit(1)
}, opt.timeout)

if (mode === 'listen') {
  rlpx.events.on('listening', () => {
    out({ type: 'listening', port: rlpx._server.address().port, id: hex(rlpx.id) })
  })
  rlpx.listen(port, '127.0.0.1')
} else {
  const m = /^enode:\/\/([0-9a-f]{128})@([0-9.]+):(\d+)/.exec(enode)
  if (!m) {
    process.stderr.write(`peer.js: bad enode ${enode}\n`)
    process.exit(2)
  }
  rlpx
    .connect({ id: fromHex(m[1]), address: m[2], tcpPort: Number(m[3]) })
    .catch((err) => {
      out({ type: 'error', error: String(err && err.message ? err.message : err) })
      process.exit(1)
    })
}
}
main()
