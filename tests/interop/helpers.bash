# helpers.bash - set-up shared by the interop suites: the net helpers
# (wait_for, teardown of PIDS), a scratch directory, and the pinned
# ethereumjs peer's key and identity.
load ../net/helpers

JS_KEY=49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee

setup() {
	TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/p2p-interop.XXXXXX")
	[ -d "$BATS_TEST_DIRNAME/node_modules/@ethereumjs/devp2p" ] ||
		{ echo "run 'npm ci' in tests/interop first (make check does)" >&2; false; }
	PIDS=""
	JS_PUB=$(p2p-keygen --nodekeyhex "$JS_KEY" | jq -r .pubkey)
	JS_ID=$(p2p-keygen --nodekeyhex "$JS_KEY" | jq -r .id)
}
