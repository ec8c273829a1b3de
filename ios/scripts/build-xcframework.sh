#!/usr/bin/env bash
# Builds ios/generated/RapportFFI.xcframework, the Rust core for Apple
# platforms, which Package.swift's binary target RapportFFI points at, and
# generates the Swift bindings beside it. Needs macOS with Xcode (xcodebuild,
# lipo) and rustup; not run in CI here (Linux).
#
#   ios/scripts/build-xcframework.sh            # release-mobile profile
#   PROFILE=dev ios/scripts/build-xcframework.sh  # quicker, unoptimised
#
# Slices: iOS devices (arm64), iOS simulator (arm64 + x86_64), macOS (arm64 +
# x86_64, so that `swift test` works on a Mac). Each is a static library
# (crate-type staticlib) with the C header and modulemap of module RapportFFI.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
PROFILE="${PROFILE:-release-mobile}"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
OUT="$REPO/ios/generated"
XCFRAMEWORK="$OUT/RapportFFI.xcframework"
# cargo puts the dev profile in target/<triple>/debug.
PROFILE_DIR="$PROFILE"
[ "$PROFILE" = "dev" ] && PROFILE_DIR=debug

if [ "$(uname -s)" != "Darwin" ] || ! command -v xcodebuild >/dev/null; then
  echo "build-xcframework.sh needs macOS with Xcode" >&2
  exit 1
fi

IOS=aarch64-apple-ios
IOS_SIM=(aarch64-apple-ios-sim x86_64-apple-ios)
MACOS=(aarch64-apple-darwin x86_64-apple-darwin)

cd "$REPO"
rustup target add "$IOS" "${IOS_SIM[@]}" "${MACOS[@]}"
export IPHONEOS_DEPLOYMENT_TARGET=15.0 MACOSX_DEPLOYMENT_TARGET=12.0
for target in "$IOS" "${IOS_SIM[@]}" "${MACOS[@]}"; do
  echo "== cargo build --target $target --profile $PROFILE"
  cargo build -p rapport-ffi --lib --profile "$PROFILE" --target "$target"
done

lib() { echo "$TARGET_DIR/$1/$PROFILE_DIR/librapport_ffi.a"; }
fat="$TARGET_DIR/xcframework/$PROFILE_DIR"
mkdir -p "$fat/ios-sim" "$fat/macos"
lipo -create "$(lib "${IOS_SIM[0]}")" "$(lib "${IOS_SIM[1]}")" -output "$fat/ios-sim/librapport_ffi.a"
lipo -create "$(lib "${MACOS[0]}")" "$(lib "${MACOS[1]}")" -output "$fat/macos/librapport_ffi.a"

# Headers, modulemap and Swift bindings, from a host dev build (it carries
# uniffi's metadata; the result is the same for every target).
cargo build -q -p rapport-ffi
"$REPO/ios/scripts/generate-bindings.sh" "$TARGET_DIR/debug/librapport_ffi.dylib"

rm -rf "$XCFRAMEWORK"
xcodebuild -create-xcframework \
  -library "$(lib "$IOS")" -headers "$OUT/headers" \
  -library "$fat/ios-sim/librapport_ffi.a" -headers "$OUT/headers" \
  -library "$fat/macos/librapport_ffi.a" -headers "$OUT/headers" \
  -output "$XCFRAMEWORK"
echo "built $XCFRAMEWORK"
