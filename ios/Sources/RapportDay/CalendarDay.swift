// A calendar day of the client's own record: no time, no zone (the Rust
// core cuts days at the client's local midnight). The generated bindings
// carry the core's calendar days as this type (core/uniffi.toml); it crosses
// the FFI as ISO 8601 text, `YYYY-MM-DD`.
import Foundation

public struct CalendarDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A day that exists in the proleptic Gregorian calendar, or nil.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...31).contains(day), (-9999...9999).contains(year)
        else { return nil }
        var parts = DateComponents()
        parts.year = year
        parts.month = month
        parts.day = day
        guard parts.isValidDate(in: CalendarDay.gregorian) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`; nil for anything else.
    public init?(iso: String) {
        let fields = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0].count == 4, fields[1].count == 2, fields[2].count == 2,
              let year = Int(fields[0]), let month = Int(fields[1]), let day = Int(fields[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The day a date falls on in `timeZone` (the client's).
    public init(_ date: Date, in timeZone: TimeZone) {
        var calendar = CalendarDay.gregorian
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        // Every date falls on a valid day.
        self.year = parts.year ?? 1970
        self.month = parts.month ?? 1
        self.day = parts.day ?? 1
    }

    /// Today in `timeZone` (the device's by default).
    public static func today(in timeZone: TimeZone = .current) -> CalendarDay {
        CalendarDay(Date(), in: timeZone)
    }

    /// The instant this day begins in `timeZone` (its local midnight, or the
    /// first moment after it where a zone skips midnight): for formatting a
    /// day with Foundation's formatters.
    public func start(in timeZone: TimeZone) -> Date {
        var calendar = CalendarDay.gregorian
        calendar.timeZone = timeZone
        let parts = DateComponents(year: year, month: month, day: day)
        // A valid day always has a start.
        return calendar.date(from: parts).map { calendar.startOfDay(for: $0) } ?? Date(timeIntervalSince1970: 0)
    }

    /// `YYYY-MM-DD`, as the core reads it.
    public var iso: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public var description: String { iso }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    private static let gregorian = Calendar(identifier: .gregorian)
}
