// stub-pmp.js - a tiny NAT-PMP router (RFC 6886) that answers every
// external-address request twice, for 81-nat-serverd.bats.
//
// Usage: node stub-pmp.js LAN_IP WAN_IP LOG
//
// A router that is slow to answer gets a request again from libnatpmp's
// retry timer (250 ms at first) and then answers both copies; the second
// answer arrives while the client already waits for its next request's.
// This stub makes that happen every time, without depending on speed:
// each external-address request gets two answers at once.  Mapping
// requests get one answer granting the external port asked for (the
// internal port when none is asked) and the lifetime asked for; no rule is
// made.  Every request is appended to LOG as one JSON object per line:
//   {"op":"address"} or
//   {"op":"map","proto":"tcp","internal_port":N,"external_port":N,
//    "lifetime":N}
// It prints {"type":"ready",...} on stdout once it listens on
// LAN_IP:5351, and runs until killed.
'use strict';

const dgram = require('dgram');
const fs = require('fs');

const [lanIp, wanIp, logFile] = process.argv.slice(2);
if (!lanIp || !wanIp || !logFile) {
	process.stderr.write('usage: node stub-pmp.js LAN_IP WAN_IP LOG\n');
	process.exit(2);
}
const started = Date.now();
const epoch = () => Math.floor((Date.now() - started) / 1000);

function log(o) {
	fs.appendFileSync(logFile, JSON.stringify(o) + '\n');
}

const sock = dgram.createSocket('udp4');
sock.on('message', (msg, rinfo) => {
	const reply = (buf) => sock.send(buf, rinfo.port, rinfo.address);

	if (msg.length < 2 || msg[0] !== 0)
		return;
	if (msg[1] === 0 && msg.length === 2) {
		const r = Buffer.alloc(12);

		log({ op: 'address' });
		r[1] = 128;
		r.writeUInt32BE(epoch(), 4);
		wanIp.split('.').forEach((b, i) => { r[8 + i] = Number(b); });
		reply(r);
		reply(r);
		return;
	}
	if ((msg[1] === 1 || msg[1] === 2) && msg.length === 12) {
		const internal = msg.readUInt16BE(4);
		const asked = msg.readUInt16BE(6);
		const lifetime = msg.readUInt32BE(8);
		const r = Buffer.alloc(16);

		log({ op: 'map', proto: msg[1] === 2 ? 'tcp' : 'udp',
		    internal_port: internal, external_port: asked, lifetime });
		r[1] = 128 + msg[1];
		r.writeUInt32BE(epoch(), 4);
		r.writeUInt16BE(internal, 8);
		r.writeUInt16BE(lifetime === 0 ? 0 : asked || internal, 10);
		r.writeUInt32BE(lifetime, 12);
		reply(r);
	}
});
sock.bind(5351, lanIp, () => {
	process.stdout.write(JSON.stringify({ type: 'ready', lan: lanIp,
	    port: 5351 }) + '\n');
});
