#!/bin/bash
# Benchmark daxguard against the debugfs icheck + ncheck peer pipeline; see bench/lib/run.sh and bench/README.md.
exec "$(dirname "$0")/lib/run.sh" ext4 "$@"
