#!/bin/sh
# Long fuzzing run of the restricted unpickler, bzip2 decoder and torch containers: the FuzzTests and the bzip2
# decoder's differential test against libbz2, with ITERATIONS times more cases. Usage: benchmarks/fuzz-pickle.sh [ITERATIONS] [SEED]
# Any crash, hang or non-PickleError error is a bug; the seed reproduces it.
set -e
cd "$(dirname "$0")/.."
NB201_FUZZ_ITERATIONS="${1:-100}" NB201_FUZZ_SEED="${2:-$(date +%s)}" \
    swift test -c release --filter 'PickleTests.FuzzTests|PickleTests.BZip2DecoderTests'
