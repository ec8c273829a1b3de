#!/usr/bin/env bash
# Lays out a binary release of RapportKit that apps add as a remote Swift
# package (File > Add Package Dependencies > the release repository's URL):
#
#   ios/release/RapportFFI.xcframework.zip   upload as a release asset at $URL
#   ios/release/package/                     commit to the release repository
#     Package.swift                          RapportFFI = binaryTarget(url: $URL, checksum: sha256 of the zip)
#     Sources/RapportDay/CalendarDay.swift
#     Sources/RapportBindings/*.swift        (generated: the three crates' files, patched)
#     Sources/RapportKit/*.swift
#   then tag that commit $VERSION (SwiftPM resolves packages by git tags).
#
# Usage: ios/scripts/package-release.sh VERSION URL [XCFRAMEWORK]
#   VERSION      semantic version of the release, e.g. 0.3.0
#   URL          where the zip will be downloadable, e.g.
#                https://github.com/OWNER/rapport-swift/releases/download/0.3.0/RapportFFI.xcframework.zip
#   XCFRAMEWORK  default ios/generated/RapportFFI.xcframework (scripts/build-xcframework.sh, on a Mac)
# The checksum is SwiftPM's: the SHA-256 of the zip (`swift package
# compute-checksum` prints the same). Needs zip and shasum or sha256sum.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
VERSION="${1:?usage: package-release.sh VERSION URL [XCFRAMEWORK]}"
URL="${2:?usage: package-release.sh VERSION URL [XCFRAMEWORK]}"
XCFRAMEWORK="${3:-$REPO/ios/generated/RapportFFI.xcframework}"
OUT="$REPO/ios/release"
BINDINGS="$REPO/ios/generated/RapportBindings"

[ -d "$XCFRAMEWORK" ] || { echo "no $XCFRAMEWORK: run ios/scripts/build-xcframework.sh first" >&2; exit 1; }
[ -f "$BINDINGS/RapportBindings.swift" ] || { echo "no $BINDINGS: run ios/scripts/generate-bindings.sh first" >&2; exit 1; }
case "$URL" in https://*) ;; *) echo "URL must be https://" >&2; exit 1 ;; esac

rm -rf "$OUT"
mkdir -p "$OUT/package/Sources/RapportDay" "$OUT/package/Sources/RapportBindings" "$OUT/package/Sources/RapportKit"
(cd "$(dirname "$XCFRAMEWORK")" && zip -qry "$OUT/RapportFFI.xcframework.zip" "$(basename "$XCFRAMEWORK")")
if command -v shasum >/dev/null; then
  checksum="$(shasum -a 256 "$OUT/RapportFFI.xcframework.zip" | cut -d' ' -f1)"
else
  checksum="$(sha256sum "$OUT/RapportFFI.xcframework.zip" | cut -d' ' -f1)"
fi
cp "$REPO"/ios/Sources/RapportDay/*.swift "$OUT/package/Sources/RapportDay/"
cp "$BINDINGS"/*.swift "$OUT/package/Sources/RapportBindings/"
cp "$REPO"/ios/Sources/RapportKit/*.swift "$OUT/package/Sources/RapportKit/"

cat >"$OUT/package/Package.swift" <<MANIFEST
// swift-tools-version:6.0
// RapportKit $VERSION, binary release (made by ios/scripts/package-release.sh).
import PackageDescription

let package = Package(
    name: "RapportKit",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "RapportKit", targets: ["RapportKit"]),
    ],
    targets: [
        .binaryTarget(
            name: "RapportFFI",
            url: "$URL",
            checksum: "$checksum"
        ),
        .target(name: "RapportDay", path: "Sources/RapportDay"),
        .target(name: "RapportBindings", dependencies: ["RapportFFI", "RapportDay"], path: "Sources/RapportBindings"),
        .target(name: "RapportKit", dependencies: ["RapportBindings", "RapportDay"], path: "Sources/RapportKit"),
    ]
)
MANIFEST
echo "release $VERSION: upload $OUT/RapportFFI.xcframework.zip to $URL,"
echo "commit $OUT/package to the release repository and tag it $VERSION (checksum $checksum)"
