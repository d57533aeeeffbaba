#!/bin/sh
# symcheck.sh ARCHIVE - fails when the library exports a symbol outside the
# p2p_ / p2pi_ namespaces (sanitizer and compiler runtime names excepted).
set -eu
bad=$(nm -g --defined-only "$1" 2>/dev/null | awk 'NF == 3 { print $3 }' |
    grep -Ev '^(p2pi?_|__(asan|ubsan|sancov|odr_asan)|___?asan)' || true)
if [ -n "$bad" ]; then
	echo "symcheck: $1 exports symbols outside p2p_/p2pi_:" >&2
	echo "$bad" | sed 's/^/  /' >&2
	exit 1
fi
