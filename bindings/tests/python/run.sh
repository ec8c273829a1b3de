#!/usr/bin/env bash
# The bindings from Python, as a new user would try them: generates the
# Python bindings of the host-built library into a temporary folder and runs
# test_bindings.py there (Python's standard unittest; nothing to install).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../../.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$REPO"
cargo build -q -p rapport-ffi
# One module per crate, importing each other relatively: a package.
mkdir "$out/rapport"
touch "$out/rapport/__init__.py"
cargo uniffi-bindgen generate --no-format --library "$TARGET_DIR/debug/librapport_ffi.so" \
  --language python --out-dir "$out/rapport" >/dev/null
cp "$TARGET_DIR/debug/librapport_ffi.so" "$out/rapport/"
cp "$REPO/bindings/tests/python/test_bindings.py" "$out/"
cd "$out"
python3 -m unittest -v test_bindings 2>&1 | tee "$out/log"
python3 - "$out/log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
ran = int(re.search(r"^Ran (\d+) test", text, re.M).group(1))
bad = sum(int(n) for n in re.findall(r"(?:failures|errors)=(\d+)", text))
print(f"python: {ran - bad} passed, {bad} failed")
PY
