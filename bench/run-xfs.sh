#!/bin/bash
# Benchmark daxguard against the xfs_io fsmap + find peer pipeline; see bench/lib/run.sh and bench/README.md.
exec "$(dirname "$0")/lib/run.sh" xfs "$@"
