// The idiomatic Swift layer over the generated bindings (module RapportBindings).
// Apps import RapportKit only; the generated module stays an implementation detail.
import RapportBindings

/// Errors of the probe API, re-exported so apps need not import the bindings.
public typealias RapportError = RapportBindings.RapportError

/// Facts about the Rust library this app runs on.
public enum Rapport {
    /// Version of the loaded Rust library (its Cargo package version).
    public static var coreVersion: String {
        RapportBindings.coreVersion()
    }

    /// Accepts a mood rating from 0 to 10 and returns it.
    /// - Throws: `RapportError.InvalidMood` when the rating is above 10
    ///   (reported as 255 when it does not even fit a byte).
    /// - Precondition: `rating` is not negative (a programming error).
    public static func checkMood(_ rating: Int) throws -> Int {
        precondition(rating >= 0, "a mood rating cannot be negative: \(rating)")
        return Int(try RapportBindings.checkMood(rating: UInt8(clamping: rating)))
    }
}
