#!/usr/bin/env bats
# tests/deps.sh: as a non-root user with packages missing, one clear line
# naming them and the install command; nothing missing, silence.
load helpers

fake_env() {
	mkdir -p "$TMP/fake"
	# dpkg-query says every package but jq is missing; id says uid 1000.
	cat >"$TMP/fake/dpkg-query" <<'EOF'
#!/bin/sh
for a; do last=$a; done
[ "$last" = jq ] && printf installed
exit 0
EOF
	printf '#!/bin/sh\necho 1000\n' >"$TMP/fake/id"
	chmod +x "$TMP/fake/dpkg-query" "$TMP/fake/id"
}

@test "non-root with missing packages: one line naming them, exit 1" {
	fake_env
	PATH="$TMP/fake:$PATH" run -1 --separate-stderr sh "$BATS_TEST_DIRNAME/../deps.sh" check
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" = 1 ]
	[[ $stderr == "p2pcore: missing packages: gcc make pkg-config libsecp256k1-dev"* ]]
	[[ $stderr == *"bats socat prometheus miniupnpd-nftables miniupnpc natpmpc nftables; install them with: sudo apt-get install -y gcc "*" natpmpc nftables" ]]
	[[ $stderr != *" jq"* ]]
}

@test "nothing missing: silent success" {
	mkdir -p "$TMP/fake"
	printf '#!/bin/sh\nprintf installed\n' >"$TMP/fake/dpkg-query"
	printf '#!/bin/sh\necho 1000\n' >"$TMP/fake/id"
	chmod +x "$TMP/fake"/*
	PATH="$TMP/fake:$PATH" run -0 --separate-stderr sh "$BATS_TEST_DIRNAME/../deps.sh" check
	[ -z "$output$stderr" ]
}

@test "an unknown step is a usage error" {
	run -2 sh "$BATS_TEST_DIRNAME/../deps.sh" bogus
}
