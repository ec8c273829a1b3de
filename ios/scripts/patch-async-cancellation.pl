#!/usr/bin/env perl
# Makes the Swift bindings uniffi 0.32 generates cancel the Rust future when
# the awaiting Swift Task is cancelled. Run by generate-bindings.sh on the
# generated RapportBindings.swift (in place); fails loudly if the generated
# code no longer has the shape this patch expects (a uniffi upgrade), so a
# silent loss of cancellation cannot happen.
#
# Why: uniffi 0.32's Swift `uniffiRustCallAsync` awaits the Rust future with a
# plain `withUnsafeContinuation` and never looks at Task cancellation, and its
# `uniffiCheckCallStatus` calls `fatalError` on CALL_CANCELLED. Kotlin's
# generated code frees the future when the coroutine is cancelled; Swift's
# does nothing, so a cancelled Task waits for the Rust work to finish (a
# cancelled sign-in completes). The patch:
#   1. passes each call's `ffi_*_rust_future_cancel_*` beside its `free`
#      function (same suffix: same return type);
#   2. awaits every poll inside `withTaskCancellationHandler`, whose handler
#      calls that cancel function: Rust then wakes the poll with READY, and
#      `complete` on an unfinished future reports CALL_CANCELLED and drops the
#      Rust future (the Rust side aborts its task when that future drops);
#   3. turns CALL_CANCELLED into Swift's `CancellationError` (a result that
#      was ready before the cancel reached Rust is still returned).
# The handler cannot outlive the poll (the Swift runtime removes it under the
# same lock it runs under), so the future is never freed while cancelling.
use strict;
use warnings;

my $file = shift or die "usage: $0 RapportBindings.swift\n";
open my $in, '<', $file or die "$file: $!\n";
local $/;
my $src = <$in>;
close $in;

exit 0 if $src =~ /RAPPORT-PATCH: async cancellation/;

my $old = qr{
    fileprivate\ func\ uniffiRustCallAsync<F,\ T>\(\n
    .*?
    (?<init>\ +\w+\(\)\n)            # the ensure-initialized call
    \ +let\ rustFuture\ =\ rustFutureFunc\(\)\n
    .*?
    \ +errorHandler:\ errorHandler\n
    \ +\)\)\n
    \}\n
}xs;

my $calls_before = () = $src =~ /try\s+await\s+uniffiRustCallAsync\(/g;
$src =~ s{$old}{
    my $init = $+{init};
    <<"SWIFT";
// RAPPORT-PATCH: async cancellation (ios/scripts/patch-async-cancellation.pl)
fileprivate func uniffiRustCallAsync<F, T>(
    rustFutureFunc: () -> UInt64,
    pollFunc: (UInt64, \@escaping UniffiRustFutureContinuationCallback, UInt64) -> (),
    completeFunc: (UInt64, UnsafeMutablePointer<RustCallStatus>) -> F,
    freeFunc: (UInt64) -> (),
    cancelFunc: \@escaping \@Sendable (UInt64) -> (),
    liftFunc: (F) throws -> T,
    errorHandler: ((RustBuffer) throws -> Swift.Error)?
) async throws -> T {
    // Make sure to call the ensure init function since future creation doesn't have a
    // RustCallStatus param, so doesn't use makeRustCall()
$init    let rustFuture = rustFutureFunc()
    defer {
        freeFunc(rustFuture)
    }
    var pollResult: Int8;
    repeat {
        pollResult = await withTaskCancellationHandler {
            await withUnsafeContinuation {
                pollFunc(
                    rustFuture,
                    { handle, pollResult in
                        uniffiFutureContinuationCallback(handle: handle, pollResult: pollResult)
                    },
                    uniffiContinuationHandleMap.insert(obj: \$0)
                )
            }
        } onCancel: {
            // Rust wakes the pending poll with READY; `complete` then drops the future.
            cancelFunc(rustFuture)
        }
    } while pollResult != UNIFFI_RUST_FUTURE_POLL_READY

    var callStatus = RustCallStatus.init()
    let returned = completeFunc(rustFuture, &callStatus)
    if callStatus.code == CALL_CANCELLED {
        throw CancellationError()
    }
    try uniffiCheckCallStatus(callStatus: callStatus, errorHandler: errorHandler)
    return try liftFunc(returned)
}
SWIFT
}e or die "$file: uniffiRustCallAsync is not in the shape uniffi 0.32 generates; update $0\n";

my $patched = $src =~ s{^(\s*)freeFunc: (\w+)_rust_future_free_(\w+),\n}{$1freeFunc: $2_rust_future_free_$3,\n$1cancelFunc: $2_rust_future_cancel_$3,\n}mg;
$patched == $calls_before
    or die "$file: $calls_before async calls but $patched free functions patched\n";
$src =~ /let CALL_CANCELLED: Int8 = 3/
    or die "$file: CALL_CANCELLED is not defined as uniffi 0.32 defines it\n";

open my $out, '>', $file or die "$file: $!\n";
print $out $src;
close $out;
