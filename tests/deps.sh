#!/bin/sh
# deps.sh [build|check|fuzz|interop] - makes sure the Debian packages a
# step needs are installed: as root it apt-get installs what is missing;
# otherwise it names the packages and the command, and fails.
set -eu

build="gcc make pkg-config libsecp256k1-dev libssl-dev libevent-dev
	libjansson-dev libsnappy-dev libsqlite3-dev libminiupnpc-dev
	libnatpmp-dev"
check="$build iproute2 bats jq socat prometheus
	miniupnpd-nftables miniupnpc natpmpc nftables"
fuzz="$build clang libclang-rt-14-dev"
interop="nodejs npm"

# Node.js may come from elsewhere (NodeSource's nodejs bundles npm, and
# Debian's npm package conflicts with it): working commands are enough.
if [ "${1:-}" = interop ] && command -v node >/dev/null 2>&1 &&
    command -v npm >/dev/null 2>&1; then
	exit 0
fi

case "${1:-build}" in
build) want=$build ;;
check) want=$check ;;
fuzz) want=$fuzz ;;
interop) want=$interop ;;
*) echo "usage: deps.sh [build|check|fuzz|interop]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	echo "p2pcore: installing missing packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || { echo "p2pcore: apt-get update failed" >&2; exit 1; }
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	    { echo "p2pcore: apt-get install failed:$missing" >&2; exit 1; }
	exit 0
fi
echo "p2pcore: missing packages:$missing; install them with: sudo apt-get install -y$missing" >&2
exit 1
