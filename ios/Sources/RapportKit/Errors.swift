// The Rust message of every error, as a property: it is the sentence to show
// a person (never the content of an entry).
import Foundation
import RapportBindings

extension RapportBindings.StoreError {
    /// What went wrong, in words a person can act on.
    public var message: String {
        switch self {
        case .Invalid(let message), .NotFound(let message), .Malformed(let message),
             .UnusableFile(let message), .Storage(let message):
            return message
        }
    }
}

extension RapportBindings.SyncError {
    /// What went wrong, in words a person can act on.
    public var message: String {
        switch self {
        case .Offline(let message), .SignedOut(let message), .BadCredentials(let message),
             .Refused(let message), .InvalidAddress(let message), .Server(let message),
             .Store(let message), .NoAccountKey(let message), .KeyChanged(let message),
             .Sealing(let message):
            return message
        }
    }

    /// The server could not be reached; local writes are kept.
    public var isOffline: Bool {
        if case .Offline = self { return true }
        return false
    }
}

/// Calendar days as the record keeps them (ISO `YYYY-MM-DD`), from and to
/// `Date` in a given calendar (the device's by default).
public enum Day {
    public static func string(_ date: Date, calendar: Calendar = .current) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 1970, c.month ?? 1, c.day ?? 1)
    }

    public static func date(_ day: String, calendar: Calendar = .current) -> Date? {
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }
}
