#!/usr/bin/env bats
# make install / uninstall with PREFIX and DESTDIR, and a program built
# against the installed headers and libp2pcore.pc.
load helpers

root() { cd "$BATS_TEST_DIRNAME/../.." && pwd; }

@test "install puts everything under DESTDIR/PREFIX; uninstall removes it" {
	cd "$(root)"
	# shellcheck disable=SC2086
	run -0 make -s install DESTDIR="$TMP/dest" PREFIX=/opt/p2p ${P2P_MAKEFLAGS:-}
	d=$TMP/dest/opt/p2p
	[ -x "$d/bin/p2p-keygen" ]
	[ -f "$d/lib/libp2pcore.a" ]
	[ -f "$d/include/p2p/p2p.h" ] && [ -f "$d/include/p2p/enr.h" ]
	[ ! -e "$d/include/p2p/internal.h" ]
	[ -f "$d/share/man/man1/p2p-keygen.1" ] && [ -f "$d/share/man/man7/p2p-ndjson.7" ]
	[ -f "$d/share/bash-completion/completions/p2p-keygen" ]
	[ -f "$d/share/zsh/site-functions/_p2p-keygen" ]
	[ -f "$d/share/fish/vendor_completions.d/p2p-keygen.fish" ]
	grep -q '^prefix=/opt/p2p$' "$d/lib/pkgconfig/libp2pcore.pc"
	# The systemd unit runs the installed daemon, sandboxed, with
	# readiness notification.
	u=$d/lib/systemd/system/p2p-serverd.service
	grep -q '^ExecStart=/opt/p2p/bin/p2p-serverd --datadir ' "$u"
	grep -q '^Type=notify$' "$u" && grep -q '^DynamicUser=yes$' "$u"
	grep -q '^ProtectSystem=strict$' "$u" && grep -q '^NoNewPrivileges=yes$' "$u"
	! grep -q @BINDIR@ "$u"
	if command -v systemd-analyze >/dev/null; then
		# verify wants the binary where ExecStart says: point it into
		# DESTDIR for the check.
		sed "s|=/opt/p2p/|=$d/|" "$u" >"$TMP/p2p-serverd.service"
		run -0 systemd-analyze verify --man=no "$TMP/p2p-serverd.service"
	fi

	# The public headers and the .pc file suffice to build a program.
	cat >"$TMP/prog.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <p2p/enr.h>
int main(void) {
	const char *t = "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8";
	struct p2p_enr r;
	int rc = p2p_enr_parse(&r, t, strlen(t));
	printf("%s\n", p2p_errname(rc));
	return rc != 0;
}
EOF
	export PKG_CONFIG_PATH=$d/lib/pkgconfig
	san=
	[[ ${P2P_MAKEFLAGS:-} != *SAN=1* ]] || san=-fsanitize=address,undefined
	run -0 --separate-stderr sh -c "cc $san -std=c11 -Wall -Werror -I'$d/include' -o '$TMP/prog' '$TMP/prog.c' -L'$d/lib' -lp2pcore \$(pkg-config --libs --static libp2pcore | sed 's|-L[^ ]*||')"
	run -0 "$TMP/prog"
	[ "$output" = OK ]

	cd "$(root)"
	run -0 make -s uninstall DESTDIR="$TMP/dest" PREFIX=/opt/p2p
	[ -z "$(find "$TMP/dest" -type f)" ]
}

@test "install with another PREFIX writes a libp2pcore.pc that says so" {
	cd "$(root)"
	# shellcheck disable=SC2086
	run -0 make -s install DESTDIR="$TMP/a" PREFIX=/opt/p2p ${P2P_MAKEFLAGS:-}
	# shellcheck disable=SC2086
	run -0 make -s install DESTDIR="$TMP/b" PREFIX=/usr ${P2P_MAKEFLAGS:-}
	grep -q '^prefix=/usr$' "$TMP/b/usr/lib/pkgconfig/libp2pcore.pc"
	grep -q '^prefix=/opt/p2p$' "$TMP/a/opt/p2p/lib/pkgconfig/libp2pcore.pc"
}
