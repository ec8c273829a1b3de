import RapportBindings

/// Placeholder observable source, in the shape the real observers will have:
/// a Rust listener and subscription handle, seen from Swift as an `AsyncStream`.
public final class ChangeFeed: Sendable {
    private let inner = RapportBindings.ChangeFeed()

    public init() {}

    /// Batches of changed ids: everything known so far first, then each new
    /// batch. Iterating subscribes; ending the iteration (or cancelling its
    /// task) ends the subscription. Nothing is dropped: batches are buffered.
    public func changes() -> AsyncStream<[String]> {
        AsyncStream { continuation in
            let subscription = inner.subscribe(listener: StreamListener(continuation))
            continuation.onTermination = { _ in
                subscription.cancel()
            }
        }
    }

    /// Records a batch of changed ids and tells every iterator.
    public func publish(_ ids: [String]) {
        inner.publish(ids: ids)
    }

    /// Live subscriptions, for tests and diagnostics.
    public var subscriberCount: Int {
        Int(inner.subscriberCount())
    }
}

/// Forwards Rust's callbacks (on whichever thread published) into the stream.
private final class StreamListener: ChangeListener, @unchecked Sendable {
    // AsyncStream.Continuation is safe to use from any thread.
    private let continuation: AsyncStream<[String]>.Continuation

    init(_ continuation: AsyncStream<[String]>.Continuation) {
        self.continuation = continuation
    }

    func onChange(ids: [String]) {
        continuation.yield(ids)
    }
}
