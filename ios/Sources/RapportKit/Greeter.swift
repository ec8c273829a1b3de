import RapportBindings

/// Placeholder object proving constructors and async calls across the FFI.
public final class Greeter: Sendable {
    private let inner: RapportBindings.Greeter

    public init(name: String) {
        inner = RapportBindings.Greeter(name: name)
    }

    /// Suspends without blocking a thread while Rust works.
    public func greet() async -> String {
        await inner.greet()
    }
}
