#!/usr/bin/env bats
# p2p-keygen: new keys, key files and the identity records they yield.
load helpers

@test "a new key prints one key record and no secret" {
	run -0 --separate-stderr p2p-keygen
	[ "$(json_lines)" = 1 ]
	jqo '.type == "key" and (.id | test("^[0-9a-f]{64}$"))
	    and (.pubkey | test("^[0-9a-f]{128}$"))
	    and .enode == "enode://" + .pubkey
	    and (.enr | startswith("enr:")) and .seq == 1 and .complete == false'
	jqo 'has("secret") | not'
	[ -z "$stderr" ]
}

@test "two new keys differ" {
	run -0 p2p-keygen
	a=$(jq -r .id <<<"$output")
	run -0 p2p-keygen
	b=$(jq -r .id <<<"$output")
	[ "$a" != "$b" ]
}

@test "-o writes a geth nodekey: 64 hex chars, no newline, mode 0600" {
	run -0 p2p-keygen -o "$TMP/nodekey" --print-secret
	[ "$(stat -c %a "$TMP/nodekey")" = 600 ]
	[ "$(wc -c <"$TMP/nodekey")" = 64 ]
	grep -Eq '^[0-9a-f]{64}$' "$TMP/nodekey"
	jqo ".file == \"$TMP/nodekey\" and .secret == \"$(cat "$TMP/nodekey")\""
	id=$(jq -r .id <<<"$output")
	run -0 p2p-keygen --nodekey "$TMP/nodekey"
	jqo ".id == \"$id\""
	ls -a "$TMP" >"$TMP.list"
	[ "$(grep -c tmp "$TMP.list")" = 0 ]
	rm -f "$TMP.list"
}

@test "an existing key file is kept unless --force" {
	run -0 p2p-keygen -o "$TMP/k"
	before=$(cat "$TMP/k")
	run -1 --separate-stderr p2p-keygen -o "$TMP/k"
	[[ $stderr == *"exists; use --force"* ]]
	[ -z "$output" ]
	[ "$(cat "$TMP/k")" = "$before" ]
	run -0 p2p-keygen -o "$TMP/k" --force
	[ "$(cat "$TMP/k")" != "$before" ]
	[ "$(stat -c %a "$TMP/k")" = 600 ]
}

@test "--nodekeyhex -o converts a hex key into a key file" {
	run -0 p2p-keygen --nodekeyhex "$EIP778_KEY" -o "$TMP/k"
	[ "$(cat "$TMP/k")" = "$EIP778_KEY" ]
	jqo ".id == \"$EIP778_ID\""
}

@test "the EIP-778 example record is reproduced byte for byte" {
	run -0 --separate-stderr p2p-keygen --nodekeyhex "$EIP778_KEY" \
	    --ip 127.0.0.1 --udp 30303 --seq 1
	jqo ".enr == \"$EIP778_ENR\""
	jqo ".id == \"$EIP778_ID\" and .pubkey == \"$EIP778_PUB\""
	jqo ".enode == \"enode://$EIP778_PUB@127.0.0.1:0?discport=30303\""
	[ -z "$stderr" ]
}

@test "ports: 0 is left out of the record; discport only when it differs" {
	run -0 p2p-keygen --nodekeyhex "$EIP778_KEY" --ip 10.0.0.1 --tcp 30303 --udp 30303
	jqo ".enode == \"enode://$EIP778_PUB@10.0.0.1:30303\""
	enr=$(jq -r .enr <<<"$output")
	run -0 p2p-keygen -d "$enr"
	jqo '.pairs | has("tcp") and has("udp") and has("ip")'
	jqo '.tcp == 30303 and .udp == 30303 and .ip == "10.0.0.1"'
	run -0 p2p-keygen --nodekeyhex "$EIP778_KEY" --ip 10.0.0.1 --tcp 0 --udp 0
	enr=$(jq -r .enr <<<"$output")
	run -0 p2p-keygen -d "$enr"
	jqo '(.pairs | keys) == ["id", "ip", "secp256k1"]'
}

@test "IPv6 addresses go to ip6 and are bracketed in the URL" {
	run -0 p2p-keygen --nodekeyhex "$EIP778_KEY" --ip ::1 --tcp 30303 --udp 30301
	jqo ".enode == \"enode://$EIP778_PUB@[::1]:30303?discport=30301\""
	enr=$(jq -r .enr <<<"$output")
	run -0 p2p-keygen -d "$enr"
	jqo '.ip6 == "::1" and (.pairs | has("ip6")) and (.pairs | has("ip") | not)'
}

@test "--seq is signed into the record" {
	run -0 p2p-keygen --nodekeyhex "$EIP778_KEY" --seq 18446744073709551615
	enr=$(jq -r .enr <<<"$output")
	run -0 p2p-keygen -d "$enr"
	jqo '.seq == "18446744073709551615"'
}

@test "a key file readable by others works but warns" {
	printf %s "$EIP778_KEY" >"$TMP/k"
	chmod 644 "$TMP/k"
	run -0 --separate-stderr p2p-keygen --nodekey "$TMP/k"
	jqo ".id == \"$EIP778_ID\""
	[[ $stderr == *"accessible by others (mode 0644)"*"chmod 600"* ]]
	[[ $stderr != *"$EIP778_KEY"* ]]
}

@test "bad key files and hex keys fail with a clear message, exit 1" {
	printf '%s\n' "$EIP778_KEY" >"$TMP/newline"
	printf '%s' "${EIP778_KEY:0:63}" >"$TMP/short"
	printf '%s ' "$EIP778_KEY" >"$TMP/trailing"
	printf '%sx' "${EIP778_KEY:0:63}" >"$TMP/nonhex"
	printf '%064d' 0 >"$TMP/zero"
	head -c 100000 /dev/zero >"$TMP/huge"
	mkfifo "$TMP/fifo"
	chmod 600 "$TMP"/*
	run -0 p2p-keygen --nodekey "$TMP/newline"
	for f in short trailing nonhex huge; do
		run -1 --separate-stderr p2p-keygen --nodekey "$TMP/$f"
		[[ $stderr == *"key file '$TMP/$f': malformed key file"* ]] || { echo "$f: $stderr"; false; }
		[ -z "$output" ]
	done
	run -1 --separate-stderr p2p-keygen --nodekey "$TMP/zero"
	[[ $stderr == *"invalid private key"* ]]
	run -1 --separate-stderr p2p-keygen --nodekey "$TMP/missing"
	[[ $stderr == *"cannot read key file '$TMP/missing': No such file"* ]]
	run -1 --separate-stderr p2p-keygen --nodekey "$TMP"
	[[ $stderr == *"Is a directory"* ]]
	run -1 --separate-stderr p2p-keygen --nodekey "$TMP/fifo"
	[[ $stderr == *"cannot read key file"* ]]
	for hex in "${EIP778_KEY:0:62}" "${EIP778_KEY}00" "zz${EIP778_KEY:2}" ""; do
		run -1 --separate-stderr p2p-keygen --nodekeyhex "$hex"
		[[ $stderr == *"--nodekeyhex: malformed"* ]] || { echo "'$hex': $stderr"; false; }
	done
}

@test "an unreadable key file fails (as a non-root user)" {
	[ "$(id -u)" != 0 ] || skip "root reads any file"
	printf %s "$EIP778_KEY" >"$TMP/k"
	chmod 000 "$TMP/k"
	run -1 --separate-stderr p2p-keygen --nodekey "$TMP/k"
	[[ $stderr == *"Permission denied"* ]]
}

@test "writing into a missing directory fails, exit 1" {
	run -1 --separate-stderr p2p-keygen -o "$TMP/no/such/k"
	[[ $stderr == *"cannot write key file '$TMP/no/such/k'"* ]]
	[ -z "$output" ]
}
