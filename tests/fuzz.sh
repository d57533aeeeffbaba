#!/bin/sh
# fuzz.sh DIR SECONDS NAME... - runs each libFuzzer target DIR/fuzz/fuzz_NAME
# for SECONDS on a scratch copy of tests/fuzz/corpus/NAME (the checked-in
# seeds stay small), then prints one JSON line per target.  A crash leaves
# its input in DIR/fuzz/NAME-artifacts/ and fails the run.
set -u
dir=$1 secs=$2
shift 2
rc=0
for n in "$@"; do
	work=$dir/fuzz/$n-corpus art=$dir/fuzz/$n-artifacts/
	mkdir -p "$work" "$art"
	cp -r "tests/fuzz/corpus/$n/." "$work/" 2>/dev/null || true
	echo "== fuzz_$n for ${secs}s" >&2
	if "$dir/fuzz/fuzz_$n" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
	    -artifact_prefix="$art" "$work" >"$dir/fuzz/$n.log" 2>&1; then
		st=ok
	else
		st=FAILED rc=1
		tail -40 "$dir/fuzz/$n.log" >&2
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz/$n.log")
	printf '{"fuzz":"%s","result":"%s","seconds":%s,"execs":%s,"corpus":%s}\n' \
	    "$n" "$st" "$secs" "${execs:-0}" "$(ls "$work" | wc -l)"
done
exit $rc
