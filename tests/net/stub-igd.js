// stub-igd.js - a tiny UPnP Internet Gateway Device that grants only
// permanent leases, for 81-nat-serverd.bats: miniupnpd never answers
// UPnP error 725 (OnlyPermanentLeasesSupported), some home routers do.
//
// Usage: node stub-igd.js LAN_IP WAN_IP HTTP_PORT LOG
//
// It answers SSDP M-SEARCH on 239.255.255.250:1900 (joined on the
// interface of LAN_IP) with the location of its root description, served
// over HTTP on LAN_IP:HTTP_PORT (InternetGatewayDevice, WANDevice,
// WANConnectionDevice, WANIPConnection:1), and answers the SOAP actions of
// WANIPConnection that miniupnpc's clients use: GetStatusInfo (Connected),
// GetExternalIPAddress (WAN_IP), AddPortMapping (fault 725 unless
// NewLeaseDuration is 0), DeletePortMapping (accepted).  Every request is
// appended to LOG as one JSON object per line:
//   {"action":"AddPortMapping","proto":"TCP","external_port":N,
//    "internal_port":N,"internal_client":IP,"lease":N,"result":725}
// (result 0 for success; M-SEARCH and description requests too).  It
// prints {"type":"ready",...} on stdout once both sockets listen, and runs
// until killed.  No mapping is ever made: the router's rules are not
// touched.
'use strict';

const dgram = require('dgram');
const fs = require('fs');
const http = require('http');

// An optional fifth argument lists external ports "taken by another
// host": AddPortMapping asking for one gets 718 ConflictInMappingEntry.
const [lanIp, wanIp, httpPort, logFile, takenArg] = process.argv.slice(2);
const taken = new Set((takenArg || '').split(',').filter(Boolean).map(Number));
if (!lanIp || !wanIp || !httpPort || !logFile) {
	process.stderr.write('usage: node stub-igd.js LAN_IP WAN_IP ' +
	    'HTTP_PORT LOG\n');
	process.exit(2);
}

const SSDP_ADDR = '239.255.255.250';
const SSDP_PORT = 1900;
const UUID = 'uuid:5c1d3e7a-0bad-4b1d-8a7e-000000000001';
const IGD = 'urn:schemas-upnp-org:device:InternetGatewayDevice:1';
const WANIP = 'urn:schemas-upnp-org:service:WANIPConnection:1';
const location = `http://${lanIp}:${httpPort}/rootDesc.xml`;

function log(o) {
	fs.appendFileSync(logFile, JSON.stringify(o) + '\n');
}

const rootDesc = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
<specVersion><major>1</major><minor>0</minor></specVersion>
<device>
<deviceType>${IGD}</deviceType>
<friendlyName>p2pcore stub IGD</friendlyName>
<manufacturer>p2pcore tests</manufacturer>
<modelName>stub-igd</modelName>
<UDN>${UUID}</UDN>
<deviceList>
<device>
<deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
<friendlyName>WANDevice</friendlyName>
<UDN>${UUID}-wan</UDN>
<serviceList>
<service>
<serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType>
<serviceId>urn:upnp-org:serviceId:WANCommonIFC1</serviceId>
<controlURL>/ctl/CmnIfCfg</controlURL>
<eventSubURL>/evt/CmnIfCfg</eventSubURL>
<SCPDURL>/WANCfg.xml</SCPDURL>
</service>
</serviceList>
<deviceList>
<device>
<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
<friendlyName>WANConnectionDevice</friendlyName>
<UDN>${UUID}-wanconn</UDN>
<serviceList>
<service>
<serviceType>${WANIP}</serviceType>
<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
<controlURL>/ctl/IPConn</controlURL>
<eventSubURL>/evt/IPConn</eventSubURL>
<SCPDURL>/WANIPCn.xml</SCPDURL>
</service>
</serviceList>
</device>
</deviceList>
</device>
</deviceList>
</device>
</root>
`;

// The value of element NAME in a SOAP body (no namespaces in arguments).
function arg(body, name) {
	const m = body.match(new RegExp(`<${name}>([^<]*)</${name}>`));
	return m ? m[1] : null;
}

function envelope(inner) {
	return '<?xml version="1.0"?>\r\n' +
	    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ' +
	    's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
	    `<s:Body>${inner}</s:Body></s:Envelope>\r\n`;
}

function ok(action, args) {
	let inner = '';
	for (const [k, v] of Object.entries(args || {}))
		inner += `<${k}>${v}</${k}>`;
	return [200, envelope(`<u:${action}Response xmlns:u="${WANIP}">` +
	    `${inner}</u:${action}Response>`)];
}

function fault(code, text) {
	return [500, envelope('<s:Fault><faultcode>s:Client</faultcode>' +
	    '<faultstring>UPnPError</faultstring><detail>' +
	    '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0">' +
	    `<errorCode>${code}</errorCode>` +
	    `<errorDescription>${text}</errorDescription>` +
	    '</UPnPError></detail></s:Fault>')];
}

function soap(action, body) {
	const rec = { action };
	let res;

	switch (action) {
	case 'GetStatusInfo':
		res = ok(action, { NewConnectionStatus: 'Connected',
		    NewLastConnectionError: 'ERROR_NONE', NewUptime: 1000 });
		break;
	case 'GetExternalIPAddress':
		res = ok(action, { NewExternalIPAddress: wanIp });
		break;
	case 'AddPortMapping': {
		rec.proto = arg(body, 'NewProtocol');
		rec.external_port = Number(arg(body, 'NewExternalPort'));
		rec.internal_port = Number(arg(body, 'NewInternalPort'));
		rec.internal_client = arg(body, 'NewInternalClient');
		rec.lease = Number(arg(body, 'NewLeaseDuration'));
		rec.description = arg(body, 'NewPortMappingDescription');
		res = taken.has(rec.external_port) ?
		    fault(718, 'ConflictInMappingEntry') : rec.lease !== 0 ?
		    fault(725, 'OnlyPermanentLeasesSupported') : ok(action);
		break;
	}
	case 'DeletePortMapping':
		rec.proto = arg(body, 'NewProtocol');
		rec.external_port = Number(arg(body, 'NewExternalPort'));
		res = ok(action);
		break;
	default:
		res = fault(401, 'Invalid Action');
		break;
	}
	rec.result = res[0] === 200 ? 0 :
	    Number(res[1].match(/<errorCode>(\d+)</)[1]);
	log(rec);
	return res;
}

const server = http.createServer((req, res) => {
	let body = '';

	req.setEncoding('utf8');
	req.on('data', (c) => { body += c; });
	req.on('end', () => {
		let status = 200, text, type = 'text/xml; charset="utf-8"';

		if (req.method === 'GET' && req.url === '/rootDesc.xml') {
			log({ action: 'GET', url: req.url });
			text = rootDesc;
		} else if (req.method === 'POST' && req.url === '/ctl/IPConn') {
			const sa = (req.headers.soapaction || '')
			    .replace(/"/g, '');
			[status, text] = soap(sa.slice(sa.indexOf('#') + 1),
			    body);
		} else {
			log({ action: req.method, url: req.url, result: 404 });
			status = 404;
			text = 'not here\n';
			type = 'text/plain';
		}
		res.writeHead(status, { 'Content-Type': type,
		    'Content-Length': Buffer.byteLength(text),
		    'Connection': 'close', 'Server': 'stub-igd UPnP/1.1' });
		res.end(text);
	});
});

const ssdp = dgram.createSocket({ type: 'udp4', reuseAddr: true });

ssdp.on('message', (msg, rinfo) => {
	const text = msg.toString('latin1');
	const m = text.match(/^ST:\s*(.*?)\s*$/im);
	let st;

	if (!/^M-SEARCH \* HTTP\/1\.1/i.test(text) || !m)
		return;
	st = m[1];
	// Answer the types an IGD has; ssdp:all gets the device type.
	if (st === 'ssdp:all')
		st = IGD;
	else if (![IGD, WANIP, 'upnp:rootdevice', UUID].includes(st) &&
	    !/^urn:schemas-upnp-org:device:(WANDevice|WANConnectionDevice):1$/
	    .test(st))
		return;
	log({ action: 'M-SEARCH', st: m[1], from: rinfo.address });
	const reply = Buffer.from('HTTP/1.1 200 OK\r\n' +
	    'CACHE-CONTROL: max-age=120\r\n' +
	    `ST: ${st}\r\n` +
	    `USN: ${UUID}::${st}\r\n` +
	    'EXT:\r\n' +
	    'SERVER: Linux UPnP/1.1 stub-igd/1.0\r\n' +
	    `LOCATION: ${location}\r\n\r\n`, 'latin1');
	ssdp.send(reply, rinfo.port, rinfo.address);
});

let up = 0;
function ready() {
	if (++up === 2)
		process.stdout.write(JSON.stringify({ type: 'ready', location,
		    ssdp: `${SSDP_ADDR}:${SSDP_PORT}` }) + '\n');
}

ssdp.bind(SSDP_PORT, () => {
	ssdp.addMembership(SSDP_ADDR, lanIp);
	ready();
});
server.listen(Number(httpPort), lanIp, ready);

for (const sig of ['SIGTERM', 'SIGINT'])
	process.on(sig, () => process.exit(0));
