#!/usr/bin/env bash
# Generates RapportKit's build inputs from a built rapport-ffi library, with the
# workspace's own uniffi-bindgen (uniffi library mode):
#   ios/generated/RapportBindings/*.swift   the Swift bindings, one file per
#       crate whose types cross (RapportBindings.swift: rapport-ffi, patched so
#       that cancelling a Swift Task cancels the Rust future:
#       patch-async-cancellation.pl; RapportCoreBindings.swift: rapport-core;
#       RapportProtocolBindings.swift: rapport-protocol), compiled as one
#       Swift module: merge-bindings.pl makes them fit one module (each file
#       gets every file's imports, e.g. RapportDay; the circular
#       `typealias CalendarDay = CalendarDay` uniffi writes is dropped)
#   ios/generated/RapportFFI/{RapportFFI.h,module.modulemap}
#       the C module as a system library linking librapport_ffi (Linux)
#   ios/generated/headers/RapportFFI/{RapportFFI.h,module.modulemap}
#       the same header with uniffi's modulemap, for the XCFramework (Apple;
#       in a subfolder so it cannot clash with other frameworks' modulemaps)
# Not committed (build output).
#
# Usage: ios/scripts/generate-bindings.sh [path/to/librapport_ffi.{so,dylib,a}]
#        (default: the workspace's target/debug/librapport_ffi.so)
# The library must carry uniffi's metadata symbols: a dev build does; the
# stripped release-mobile .so does not (generate from a dev build, always:
# the bindings are the same for every target and profile).
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
LIB="${1:-${CARGO_TARGET_DIR:-$REPO/target}/debug/librapport_ffi.so}"
OUT="$REPO/ios/generated"

if [ ! -f "$LIB" ]; then
  echo "no library at $LIB: build it first (cargo build -p rapport-ffi)" >&2
  exit 1
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
(cd "$REPO" && cargo uniffi-bindgen generate --no-format \
  --library "$LIB" --language swift --out-dir "$stage" >/dev/null)
# uniffi 0.32's Swift ignores Task cancellation: make a cancelled Task cancel
# the Rust future (see the script for why and how).
perl "$REPO/ios/scripts/patch-async-cancellation.pl" "$stage/RapportBindings.swift"
# uniffi writes each crate's file as its own module; ours are one (see the
# script for the two things that breaks).
perl "$REPO/ios/scripts/merge-bindings.pl" \
  "$stage/RapportBindings.swift" "$stage/RapportCoreBindings.swift" "$stage/RapportProtocolBindings.swift"

mkdir -p "$OUT/RapportBindings" "$OUT/RapportFFI" "$OUT/headers/RapportFFI"
# Copy only when changed, so SwiftPM does not rebuild what did not change.
install_if_changed() {
  if ! cmp -s "$1" "$2"; then
    cp "$1" "$2"
  fi
}
for swift in RapportBindings RapportCoreBindings RapportProtocolBindings; do
  install_if_changed "$stage/$swift.swift" "$OUT/RapportBindings/$swift.swift"
done
# One C module for the three crates' headers (their shared definitions are
# guarded, so they concatenate).
cat "$stage/rapport_protocolFFI.h" "$stage/rapport_coreFFI.h" "$stage/rapport_ffiFFI.h" \
  >"$stage/RapportFFI.h"
install_if_changed "$stage/RapportFFI.h" "$OUT/RapportFFI/RapportFFI.h"
install_if_changed "$stage/RapportFFI.h" "$OUT/headers/RapportFFI/RapportFFI.h"
cat >"$stage/framework.modulemap" <<'MODULEMAP'
module RapportFFI {
    header "RapportFFI.h"
    export *
    use "Darwin"
    use "_Builtin_stdbool"
    use "_Builtin_stdint"
}
MODULEMAP
install_if_changed "$stage/framework.modulemap" "$OUT/headers/RapportFFI/module.modulemap"
cat >"$stage/module.modulemap" <<'MODULEMAP'
module RapportFFI {
    header "RapportFFI.h"
    link "rapport_ffi"
    export *
}
MODULEMAP
install_if_changed "$stage/module.modulemap" "$OUT/RapportFFI/module.modulemap"
