// The one way RapportKit calls into the Rust library. Every generated object
// (RapportStore, RapportSync, observer handles) lives inside an FFIChannel and
// is reachable only through it, so that no call into Rust runs on the caller's
// thread, and never on the main thread:
//   - blocking calls (SQLite reads and writes, opening, subscribing) run on the
//     channel's own serial DispatchQueue, outside Swift's cooperative pool;
//   - async calls (network work) run in a detached task, which the caller's
//     cancellation cancels (the patched bindings then cancel the Rust future:
//     scripts/patch-async-cancellation.pl).
// FFIProbe counts the calls and those made on the main thread; a test fails
// if any is.
import Dispatch
import Foundation

final class FFIChannel<Object: Sendable>: Sendable {
    private let object: Object
    private let queue: DispatchQueue

    private init(object: Object, queue: DispatchQueue) {
        self.object = object
        self.queue = queue
    }

    // Freeing a generated object is itself a call into Rust (it closes the
    // record file, for one): the last reference goes to the queue, to be
    // released there rather than on whichever thread let go of the channel.
    deinit {
        let object = self.object
        queue.async {
            FFIProbe.record()
            withExtendedLifetime(object) {}
        }
    }

    /// Makes the object on a new serial queue named `label` (an open is
    /// itself a blocking call) and keeps both.
    static func make(label: String, _ make: @escaping @Sendable () throws -> Object) async throws -> FFIChannel {
        let queue = DispatchQueue(label: label, qos: .userInitiated)
        let object = try await run(on: queue) { try make() }
        return FFIChannel(object: object, queue: queue)
    }

    /// Another object that shares this channel's queue (for example the sync
    /// client made from a store).
    func derive<Other: Sendable>(_ make: @escaping @Sendable (Object) throws -> Other) async throws -> FFIChannel<Other> {
        let object = self.object
        let other = try await Self.run(on: queue) { try make(object) }
        return FFIChannel<Other>(object: other, queue: queue)
    }

    /// A blocking call, on this channel's serial queue.
    func call<T: Sendable>(_ body: @escaping @Sendable (Object) throws -> T) async throws -> T {
        let object = self.object
        return try await Self.run(on: queue) { try body(object) }
    }

    /// A blocking call that passes another channel's object to Rust as an
    /// argument (it is not called), on this channel's queue.
    func call<Other: Sendable, T: Sendable>(
        with other: FFIChannel<Other>, _ body: @escaping @Sendable (Object, Other) throws -> T
    ) async throws -> T {
        let (object, argument) = (self.object, other.object)
        return try await Self.run(on: queue) { try body(object, argument) }
    }

    /// A blocking call that cannot fail.
    func get<T: Sendable>(_ body: @escaping @Sendable (Object) -> T) async -> T {
        let object = self.object
        return await withCheckedContinuation { continuation in
            queue.async {
                FFIProbe.record()
                continuation.resume(returning: body(object))
            }
        }
    }

    /// A blocking call whose result nobody waits for (ending a subscription
    /// from an AsyncStream's onTermination, which may run on any thread).
    func post(_ body: @escaping @Sendable (Object) -> Void) {
        let object = self.object
        queue.async {
            FFIProbe.record()
            body(object)
        }
    }

    /// An async call (network work): started in a detached task, so off the
    /// caller's executor whatever it is, and cancelled when the caller's task
    /// is cancelled (it then throws `CancellationError`).
    func callAsync<T: Sendable>(_ body: @escaping @Sendable (Object) async throws -> T) async throws -> T {
        let object = self.object
        let task = Task.detached(priority: Task.currentPriority) {
            FFIProbe.record()
            return try await body(object)
        }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    private static func run<T: Sendable>(
        on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                FFIProbe.record()
                continuation.resume(with: Result { try body() })
            }
        }
    }
}

/// Counts calls into Rust and those made on the main thread (there must be
/// none). Recorded on the thread the call runs on, right before it runs.
enum FFIProbe {
    struct Counts: Equatable, Sendable {
        var calls = 0
        var onMainThread = 0
    }

    private static let counts = Locked(Counts())

    static func record() {
        let onMain = Thread.isMainThread
        counts.withLock {
            $0.calls += 1
            if onMain { $0.onMainThread += 1 }
        }
    }

    static var current: Counts { counts.withLock { $0 } }
}

/// A value behind a lock, for the little shared state RapportKit keeps.
final class Locked<Value>: @unchecked Sendable {
    // Every access to `value` holds `lock`: that is what makes it Sendable.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

extension FFIChannel where Object == Void {
    /// A channel for the library's free functions (no object of its own).
    static func unbound(label: String) -> FFIChannel<Void> {
        FFIChannel(object: (), queue: DispatchQueue(label: label, qos: .userInitiated))
    }
}
