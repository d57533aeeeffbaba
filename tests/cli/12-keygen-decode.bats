#!/usr/bin/env bats
# p2p-keygen --decode: enode URLs, node IDs and records from arguments or
# stdin; a bad input is an error record and the stream goes on.
load helpers

NONCANON_ENR=enr:-IW4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5yBAYJpZIJ2NIJpcIR_AAABiXNlY3AyNTZrMaEDymNMrg1JrLQB2KTGtv6MVbcNEVv0AHacwUAPMljNMTiDdWRwgnZf
TAMPERED_ENR=enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdmA
TRAILING_ENR=enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8A
BIG_ENR=enr:-QEu$(printf 'A%.0s' $(seq 403))

@test "decodes the EIP-778 record with every field" {
	run -0 --separate-stderr p2p-keygen --decode "$EIP778_ENR"
	[ "$(json_lines)" = 1 ]
	jqo ".type == \"enr\" and .input == \"$EIP778_ENR\" and .enr == \"$EIP778_ENR\""
	jqo ".id == \"$EIP778_ID\" and .pubkey == \"$EIP778_PUB\" and .seq == 1"
	jqo '.scheme == "v4" and .ip == "127.0.0.1" and .udp == 30303 and .tcp == 0'
	jqo '.signature == "7098ad865b00a582051940cb9cf36836572411a47278783077011599ed5cd16b76f2635f4e234738f30813a89eb9137e3e3df5266e3a1f11df72ecf1145ccb9c"'
	jqo '.pairs == {"id":"0x827634","ip":"0x847f000001","secp256k1":"0xa103ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138","udp":"0x82765f"}'
	jqo '.rlp | startswith("0xf884")'
	[ -z "$stderr" ]
}

@test "decodes enode URLs and bare node IDs" {
	run -0 p2p-keygen -d "enode://$EIP778_PUB@127.0.0.1:30303?discport=30301" \
	    "$EIP778_PUB" "enode://$EIP778_PUB@[2001:db8::1]:1"
	[ "$(json_lines)" = 3 ]
	jqo ".type == \"node\" and .id == \"$EIP778_ID\" and .ip == \"127.0.0.1\"
	    and .tcp == 30303 and .udp == 30301 and .complete" "${lines[0]}"
	jqo ".type == \"node\" and .enode == \"enode://$EIP778_PUB\" and .complete == false
	    and .ip == null" "${lines[1]}"
	jqo '.ip == "2001:db8::1" and .tcp == 1 and .udp == 1' "${lines[2]}"
}

@test "round trip: key -> enode and enr -> decode -> the same identity" {
	run -0 p2p-keygen --ip 127.0.0.2 --tcp 1234 --udp 4321
	rec=$output
	enode=$(jq -r .enode <<<"$rec")
	enr=$(jq -r .enr <<<"$rec")
	run -0 p2p-keygen -d "$enode" "$enr"
	for i in 0 1; do
		for f in id pubkey ip tcp udp enode; do
			[ "$(jq -c .$f <<<"${lines[$i]}")" = "$(jq -c .$f <<<"$rec")" ] ||
			    { echo "line $i field $f differs"; false; }
		done
	done
}

@test "stdin: blank lines and comments are skipped, white space trimmed" {
	run -0 p2p-keygen -d <<EOF

# a comment
   $EIP778_ENR   
	enode://$EIP778_PUB@127.0.0.1:30303

EOF
	[ "$(json_lines)" = 2 ]
	jqo '.type == "enr"' "${lines[0]}"
	jqo '.type == "node"' "${lines[1]}"
}

@test "bad inputs give error records, the rest still decodes, exit 1" {
	run -1 --separate-stderr p2p-keygen -d <<EOF
enode://$EIP778_PUB@hostname.example:30303
$EIP778_ENR
enode://0101@127.0.0.1:3
$TAMPERED_ENR
enode://$EIP778_PUB@127.0.0.1:foo
enode://$EIP778_PUB@127.0.0.1:3?discport=foo
enr:
enr:x
$NONCANON_ENR
$TRAILING_ENR
$BIG_ENR
http://foobar
${EIP778_PUB:0:127}g
EOF
	[ "$(json_lines)" = 13 ]
	want=(EHOSTNAME - EIDLEN EENRSIG EPORT EDISCPORT EEMPTY EBASE64 ESINGLEBYTE ETRAILING EENRSIZE ESCHEME ESCHEME)
	for i in "${!want[@]}"; do
		if [ "${want[$i]}" = - ]; then
			jqo '.type == "enr"' "${lines[$i]}"
		else
			jqo ".type == \"error\" and .error == \"${want[$i]}\" and (.detail | length > 0)
			    and (.input | length > 0)" "${lines[$i]}" ||
			    { echo "line $i: ${lines[$i]}"; false; }
		fi
	done
}

@test "an over-long line and a line with invalid UTF-8 are refused as data" {
	{ head -c 10000 /dev/zero | tr '\0' a; echo; printf 'enode://\xff\xfe\n'; echo "$EIP778_ENR"; } >"$TMP/in"
	run -1 p2p-keygen -d <"$TMP/in"
	[ "$(json_lines)" = 3 ]
	jqo '.type == "error" and .error == "ETOOBIG"' "${lines[0]}"
	jqo '.type == "error" and (.input | startswith("enode://"))' "${lines[1]}"
	jqo '.type == "enr"' "${lines[2]}"
}

@test "empty stdin decodes nothing and succeeds" {
	run -0 p2p-keygen -d </dev/null
	[ -z "$output" ]
}

@test "other tools' records are decoded at their enr (else enode) member; summaries skipped" {
	enode="enode://$EIP778_PUB@127.0.0.1:30303"
	{
		echo '{"type":"node","enr":"'"$EIP778_ENR"'","enode":"'"$enode"'"}'
		echo '{"type":"dial","enode":"'"$enode"'","enr":null}'
		echo '{"type":"crawl","nodes":2,"responsive":2,"complete":true}'
		echo '{"type":"node","enode":1}'
	} >"$TMP/in"
	run -1 --separate-stderr p2p-keygen -d <"$TMP/in"
	[ "$(json_lines)" = 3 ]
	jqo '.type == "enr" and .input == "'"$EIP778_ENR"'" and .seq == 1' "${lines[0]}"
	jqo '.type == "node" and .input == "'"$enode"'" and .id == "'"$EIP778_ID"'"' "${lines[1]}"
	jqo '.type == "error" and .error == "EFIELD"' "${lines[2]}"
}

@test "enr: text with stray bits after the last byte is refused (canonical base64 only)" {
	run -1 --separate-stderr p2p-keygen -d "${EIP778_ENR%?}9"
	jqo '.type == "error" and .error == "EBASE64"'
	run -0 --separate-stderr p2p-keygen -d "$EIP778_ENR"
}
