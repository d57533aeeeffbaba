#!/usr/bin/env bats
# Every long option a tool lists in --help is documented in its man page and
# offered by its bash, zsh and fish completions.
load helpers

# lacks TOOL OPTS WHERE: every option in OPTS is among those on stdin.
lacks() {
	local missing
	missing=$(comm -23 <(echo "$2") <(sort -u))
	[ -z "$missing" ] || { echo "$1: not in $3:" $missing; false; }
}

@test "every --help option is in the man page and all three completions" {
	root=$BATS_TEST_DIRNAME/../..
	n=0
	for bin in "$P2P_BIN"/p2p-*; do
		tool=${bin##*/}
		n=$((n + 1))
		man=$root/man/$tool.1
		[ -f "$man" ] || { echo "$tool: no man page"; false; }
		for comp in "$root/completions/bash/$tool" "$root/completions/zsh/_$tool" \
		    "$root/completions/fish/$tool.fish"; do
			[ -f "$comp" ] || { echo "$tool: missing $comp"; false; }
		done
		opts=$("$bin" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u)
		[ -n "$opts" ]
		# Each file's options, as whole words, against --help's.
		lacks "$tool" "$opts" man < <(grep -oE -- 'Fl -[a-z][a-z0-9-]+' "$man" | sed 's/^Fl -/--/')
		lacks "$tool" "$opts" bash < <(grep -oE -- '--[a-z][a-z0-9-]+' "$root/completions/bash/$tool")
		lacks "$tool" "$opts" zsh < <(grep -oE -- '--[a-z][a-z0-9-]+' "$root/completions/zsh/_$tool")
		lacks "$tool" "$opts" fish < <(grep -oE -- '-l [a-z][a-z0-9-]+' "$root/completions/fish/$tool.fish" | sed 's/^-l /--/')
	done
	[ "$n" -ge 1 ]
}

@test "man pages render without warnings" {
	command -v groff >/dev/null || skip "groff not installed"
	for m in "$BATS_TEST_DIRNAME"/../../man/*.[1-8]; do
		run -0 --separate-stderr groff -mdoc -Tutf8 -ww "$m"
		[ -z "$stderr" ] || { echo "$m: $stderr"; false; }
	done
}

@test "bash completion offers the options" {
	source "$BATS_TEST_DIRNAME/../../completions/bash/p2p-keygen"
	COMP_WORDS=(p2p-keygen --node)
	COMP_CWORD=1
	_p2p_keygen
	[[ " ${COMPREPLY[*]} " == *" --nodekey "* && " ${COMPREPLY[*]} " == *" --nodekeyhex "* ]]
}
