#!/usr/bin/env bash
# Runs the Kotlin library's JUnit suite on the desktop JVM (Maven) against the
# host-built librapport_ffi.so: builds the library, generates the Kotlin
# bindings into android/jvm/target/generated-sources/uniffi, runs `mvn test`.
# Maven's repository stays in ~/.m2 (outside the checkout); the first run
# downloads the Kotlin compiler and the test dependencies.
#
# Usage: android/jvm/test.sh [extra mvn args]
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
JVM="$REPO/android/jvm"
GENERATED="$JVM/target/generated-sources/uniffi"

cd "$REPO"
cargo build -q -p rapport-ffi -p rapport-server
# Start clean so that bindings of removed APIs cannot linger.
rm -rf "$GENERATED"
cargo uniffi-bindgen generate --no-format --library "$TARGET_DIR/debug/librapport_ffi.so" \
  --language kotlin --out-dir "$GENERATED" >/dev/null

cd "$JVM"
# Compiled classes of deleted sources would otherwise still run.
rm -rf target/surefire-reports target/classes target/test-classes
# (sed: Maven 3.8 prints colour resets even in batch mode.)
rc=0
mvn -B -q -Drapport.skipCargo=true \
  -Drapport.libDir="$TARGET_DIR/debug" \
  "$@" test 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d' || rc=$?

# mvn -q hides Surefire's summary: print one from its reports.
python3 - "$JVM/target/surefire-reports" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
tests = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/TEST-*.xml"):
    suite = ET.parse(path).getroot()
    tests += int(suite.get("tests", 0))
    failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped += int(suite.get("skipped", 0))
print(f"jvm: {tests - failed - skipped} passed, {failed} failed, {skipped} skipped")
PY
exit "$rc"
