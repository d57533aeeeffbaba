#!/usr/bin/env bats
# p2p-keygen: help, version and usage errors (exit 2, nothing on stdout).
load helpers

@test "--help prints the synopsis on stdout and exits 0" {
	run -0 --separate-stderr p2p-keygen --help
	[[ ${lines[0]} == "usage: p2p-keygen "* ]]
	[[ $output == *--nodekeyhex* ]]
	[ -z "$stderr" ]
}

@test "--version names the package" {
	run -0 p2p-keygen -V
	[[ $output == "p2p-keygen p2pcore "[0-9]* ]]
}

@test "usage errors exit 2 with a message and the synopsis on stderr" {
	for args in "--bogus" "stray" "-f" "--nodekey a --nodekeyhex b" \
	    "--decode --ip 127.0.0.1" "--tcp 70000" "--udp -1" "--tcp 1x" \
	    "--ip 300.1.1.1" "--ip example.com" "--seq x" "--seq 18446744073709551616" \
	    "-o"; do
		# shellcheck disable=SC2086
		run -2 --separate-stderr p2p-keygen $args
		[ -z "$output" ] || { echo "stdout for '$args': $output"; false; }
		[[ $stderr == *"usage: p2p-keygen"* ]] || { echo "args '$args': $stderr"; false; }
	done
}
