# helpers.bash - shared set-up for the CLI tests: where the binaries are, a
# scratch directory per test, and the EIP-778 example values.
bats_require_minimum_version 1.5.0

: "${P2P_BIN:=$BATS_TEST_DIRNAME/../../build/bin}"
export PATH="$P2P_BIN:$PATH"
# A hang guard only: tests wait for conditions, never for time.
: "${BATS_TEST_TIMEOUT:=600}"

EIP778_KEY=b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291
EIP778_PUB=ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f
EIP778_ID=a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7
EIP778_ENR=enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8

setup() {
	TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/p2p-cli.XXXXXX")
}

teardown() {
	rm -rf "$TMP"
}

# json_lines: the number of stdout lines; each must be a JSON object.
json_lines() {
	local n=0 line
	while IFS= read -r line; do
		jq -e 'type == "object"' <<<"$line" >/dev/null || {
			echo "not a JSON object: $line" >&2
			return 1
		}
		n=$((n + 1))
	done <<<"$output"
	echo "$n"
}

# jqo FILTER: jq -e FILTER on line 1 of $output (or $2 as the line).
jqo() {
	# jq 1.6 -e succeeds on empty input: no record is a failure here.
	[ -n "${2:-${lines[0]:-}}" ] || { echo "jqo '$1': no record" >&2; return 1; }
	jq -e "$1" <<<"${2:-${lines[0]}}" >/dev/null || {
		echo "jq -e '$1' failed on: ${2:-${lines[0]}}" >&2
		return 1
	}
}
