#!/usr/bin/env bats
# Every long option a tool lists in --help is documented in its man page and
# offered by its bash, zsh and fish completions.
load helpers

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
		for o in $opts; do
			grep -q -- "Fl -${o#--}\b" "$man" || { echo "$tool: $o not in $man"; false; }
			grep -q -- "$o\b" "$root/completions/bash/$tool" || { echo "$tool: $o not in bash"; false; }
			grep -q -- "$o\b" "$root/completions/zsh/_$tool" || { echo "$tool: $o not in zsh"; false; }
			grep -q -- "-l ${o#--}\b" "$root/completions/fish/$tool.fish" || { echo "$tool: $o not in fish"; false; }
		done
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
