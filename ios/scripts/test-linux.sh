#!/usr/bin/env bash
# Runs the RapportKit Swift tests on Linux.
#
# Swift is not packaged for the host (Debian bookworm), so the tests run in a
# Debian trixie chroot with `swiftlang` (Swift 6.0.3), made once with
# debootstrap and cached outside the repository:
#   ${RAPPORT_CACHE:-/var/cache/rapport}/swift-trixie
# The chroot is built in a temporary folder and renamed into place only once it
# is complete, so an interrupted run never leaves a half-made chroot that looks
# ready. Needs root (debootstrap, chroot, bind mounts).
#
# Steps: build the host library (cargo), generate the Swift bindings with the
# workspace's uniffi-bindgen (ios/scripts/generate-bindings.sh), bind-mount
# /proc, the repository and the cargo target folder into the chroot, and run
# `swift test` there against target/debug/librapport_ffi.so, with
# RAPPORT_SERVER_BIN naming the host-built target/debug/rapport-server that the
# sync tests start; then the same suite again under the thread sanitizer.
#
# Usage: ios/scripts/test-linux.sh [--setup-only] [extra `swift test` args]
# Env:   RAPPORT_CACHE          cache folder (default /var/cache/rapport)
#        RAPPORT_SWIFT_TSAN=0   skip the thread-sanitizer run
#        RAPPORT_DEBIAN_MIRROR  Debian mirror (default: the one apt uses here)
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${RAPPORT_CACHE:-/var/cache/rapport}"
CHROOT="$CACHE/swift-trixie"
READY="$CHROOT/.rapport-ready"

log() { echo "[test-linux] $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  echo "ios/scripts/test-linux.sh needs root (debootstrap, chroot, mount)" >&2
  exit 1
fi

# The Debian mirror apt already uses on this machine (deb822 or one-line
# format), falling back to the public redirector.
debian_mirror() {
  if [ -n "${RAPPORT_DEBIAN_MIRROR:-}" ]; then
    echo "$RAPPORT_DEBIAN_MIRROR"
    return
  fi
  local uri
  uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' \
    | grep -E '/debian/?$' | head -n1 || true)"
  if [ -z "$uri" ]; then
    uri="$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
      | grep -E '/debian/?$' | head -n1 || true)"
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# Unmounts everything mounted at or below $1 (deepest first).
unmount_below() {
  local root="$1"
  local m
  awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts \
    | sort -r | while read -r m; do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
      done
}

setup_chroot() {
  if [ -f "$READY" ]; then
    return
  fi
  if [ -e "$CHROOT" ]; then
    # Should not happen (the rename is the last step), but never trust it.
    log "removing incomplete $CHROOT"
    unmount_below "$CHROOT"
    rm -rf --one-file-system "$CHROOT"
  fi
  mkdir -p "$CACHE"
  # Leftovers of interrupted runs.
  local old
  for old in "$CACHE"/swift-trixie.tmp.*; do
    [ -e "$old" ] || continue
    log "removing leftover $old"
    unmount_below "$old"
    rm -rf --one-file-system "$old"
  done

  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi

  local tmp mirror script=""
  tmp="$(mktemp -d "$CACHE/swift-trixie.tmp.XXXXXX")"
  chmod 755 "$tmp"
  mirror="$(debian_mirror)"
  # Older debootstrap releases lack a trixie script; sid's works for it.
  if [ ! -e /usr/share/debootstrap/scripts/trixie ]; then
    script=/usr/share/debootstrap/scripts/sid
  fi
  log "debootstrap trixie from $mirror into $tmp (about a minute)"
  trap 'unmount_below "$tmp"' EXIT
  debootstrap --variant=minbase trixie "$tmp" "$mirror" $script >"$CACHE/debootstrap.log" 2>&1 || {
    tail -n 30 "$CACHE/debootstrap.log" >&2
    exit 1
  }
  cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
  mount -t proc proc "$tmp/proc"
  log "installing swiftlang in the chroot"
  chroot "$tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update -qq && apt-get install -y -qq swiftlang libc6-dev >/dev/null && apt-get clean'
  # (Swift's binaries find their libraries through $ORIGIN, which needs /proc.)
  chroot "$tmp" swift --version >&2
  unmount_below "$tmp"
  trap - EXIT
  touch "$tmp/.rapport-ready"
  mv -T "$tmp" "$CHROOT"
  log "Swift chroot ready at $CHROOT"
}

# One run at a time: setup, and runs sharing the chroot's /proc mount.
mkdir -p "$CACHE"
exec 9>"$CACHE/swift-trixie.lock"
flock 9

setup_chroot
if [ "${1:-}" = "--setup-only" ]; then
  exit 0
fi

cd "$REPO"
TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
log "building the host library and the sync server"
cargo build -q -p rapport-ffi
# The sync tests start the real server: built on the host, it runs in the
# chroot too (the target folder is bind-mounted there).
cargo build -q -p rapport-server
"$REPO/ios/scripts/generate-bindings.sh" "$TARGET_DIR/debug/librapport_ffi.so"

# Mount points named after the checkout, so that SwiftPM's build folder
# (ios/.build, in the checkout) sees the same paths on every run and builds
# incrementally, and two checkouts never share one.
key="$(printf '%s' "$REPO" | md5sum | cut -c1-12)"
SRC="/mnt/rapport-src-$key"
TGT="/mnt/rapport-target-$key"
cleanup() {
  unmount_below "$CHROOT$SRC"
  unmount_below "$CHROOT$TGT"
  unmount_below "$CHROOT/proc"
  rmdir "$CHROOT$SRC" "$CHROOT$TGT" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
cleanup
mkdir -p "$CHROOT$SRC" "$CHROOT$TGT"
mount --bind "$REPO" "$CHROOT$SRC"
mount --bind "$TARGET_DIR" "$CHROOT$TGT"
mount -t proc proc "$CHROOT/proc"

# One `swift test` in the chroot; extra arguments go to it.
swift_test() {
  # --disable-swift-testing: the suite is XCTest; without it an empty Swift
  # Testing run would print the last line ("0 tests passed").
  chroot "$CHROOT" /usr/bin/env -i \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LD_LIBRARY_PATH="$TGT/debug" \
    RAPPORT_SERVER_BIN="$TGT/debug/rapport-server" \
    RAPPORT_TEST_POSTGRES_URL="${RAPPORT_TEST_POSTGRES_URL:-}" \
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
    sh -c 'cd "$1" && shift && exec swift test "$@"' sh "$SRC/ios" \
    --disable-swift-testing \
    -Xlinker -L"$TGT/debug" -Xlinker -rpath -Xlinker "$TGT/debug" \
    "$@"
}

log "swift test (Swift 6 language mode, complete strict concurrency)"
swift_test "$@"

# Again under the thread sanitizer, in its own build folder (the flags differ,
# so sharing ios/.build would rebuild everything on each switch). Only the
# Swift side is instrumented: the Rust library and its threads are not, so
# TSAN sees Swift's accesses and the locks it takes, not Rust's. Set
# RAPPORT_SWIFT_TSAN=0 to skip.
if [ "${RAPPORT_SWIFT_TSAN:-1}" != "0" ]; then
  log "swift test --sanitize=thread"
  swift_test --sanitize=thread --scratch-path "$SRC/ios/.build-tsan" "$@"
fi
