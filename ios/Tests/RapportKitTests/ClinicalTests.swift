// The clinical layer from Swift: "since we last met" with its days as
// CalendarDays, and an export imported into an empty store.
import Foundation
import XCTest

@testable import RapportKit

final class ClinicalTests: XCTestCase {
    var folder: URL!

    override func setUp() async throws {
        folder = try temporaryFolder()
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func filledStore(_ name: String) async throws -> RecordStore {
        let store = try await RecordStore(url: folder.appendingPathComponent(name))
        let sam = try await store.add(Person(nickname: "Sam", relationship: "partner", ring: .inner))
        try await store.add(Interaction(personId: sam.meta.id, occurredAt: moment(4, hour: 12), channel: .inPerson,
                                  initiatedBy: .me, whatIWanted: "Share the chores", moodBefore: 5, moodAfter: 3,
                                  relationship: .worse))
        try await store.checkIn(MoodCheckIn(at: moment(4, hour: 20), rating: 2, event: "Argument about chores"))
        try await store.add(Win(occurredAt: moment(6), title: "Asked Sam for help"))
        try await store.checkIn(Phq9CheckIn(at: moment(3), items: [2, 2, 1, 1, 1, 1, 1, 1, 0]))
        try await store.checkIn(Phq9CheckIn(at: moment(10), items: [1, 1, 1, 1, 1, 1, 1, 0, 1]))
        try await store.saveAfterCarePlan(AfterCarePlan(warningSigns: ["sleeping badly for a week"], planForAfter: "Call Sam on Sundays"))
        return store
    }

    func testTheSessionSummaryLinksMoodDipsToInteractionsAndFlagsItem9() async throws {
        let store = try await filledStore("a.db")
        // The days are the client's: UTC here, as `moment` is.
        try await store.setTimeZone("UTC")
        let summary = try await store.sessionSummary(since: day(1), today: day(14))
        XCTAssertEqual(summary.whose, .mine)
        // Both days belong to the range asked for; the range kept is
        // half-open, to the day after `today`.
        XCTAssertEqual(summary.range, DateRange(start: day(1), end: day(15)))
        XCTAssertEqual(summary.wins.map(\.title), ["Asked Sam for help"])
        XCTAssertEqual(summary.phq9.map(\.total), [10, 8])
        XCTAssertEqual(summary.phq9Change, -2)
        XCTAssertEqual(summary.safetyFlags.map(\.reason), [.phq9Item9])
        let lowest = try XCTUnwrap(summary.lowPoints.first { $0.point.rating == 2 })
        XCTAssertEqual(lowest.behind.map(\.whatIWanted), ["Share the chores"])
        guard case .initial(let emphasis) = summary.emphasis else {
            return XCTFail("a new record is in the initial phase: \(summary.emphasis)")
        }
        XCTAssertEqual(emphasis.inventory.map(\.nickname), ["Sam"])

        let timeline = try await store.timeline(since: day(1), until: day(31), filter: TimelineFilter(kinds: [.win, .interaction]))
        XCTAssertEqual(timeline.map(\.kind), [.interaction, .win])
        await assertEqual(try await store.terminationReview(until: day(20)).warningSigns, ["sleeping badly for a week"])
    }

    func testASessionSummaryForARangeCoversThoseDaysOnly() async throws {
        let store = try await filledStore("a.db")
        try await store.setTimeZone("UTC")
        // The 4th and the 6th, both included: the low point of the 4th and
        // the win of the 6th, not the PHQ-9s of the 3rd and the 10th.
        let summary = try await store.sessionSummary(since: day(4), until: day(6), today: day(14))
        XCTAssertEqual(summary.range.start, CalendarDay(iso: "2025-03-04"))
        XCTAssertEqual(summary.range.end.iso, "2025-03-07")
        XCTAssertEqual(summary.wins.map(\.title), ["Asked Sam for help"])
        XCTAssertEqual(summary.phq9, [])
        XCTAssertEqual(summary.mood.map(\.rating).contains(2), true, "\(summary.mood)")
        // A range that ends before it starts is refused, naming the range.
        await assertThrows(try await store.sessionSummary(since: day(6), until: day(4), today: day(14))) { error in
            guard case StoreError.Invalid(field: "range", _) = error else { return XCTFail("unexpected \(error)") }
        }
    }

    func testAnExportImportsIntoAnEmptyStore() async throws {
        let original = try await filledStore("a.db")
        let json = try await original.exportJson()
        let copy = try await RecordStore(url: folder.appendingPathComponent("b.db"))
        let report = try await copy.importJson(json)
        XCTAssertEqual(report.documents, report.changed)
        await assertEqual(Set(try await copy.list().map(\.id)), Set(try await original.list().map(\.id)))
        await assertEqual(try await copy.afterCarePlan().planForAfter, "Call Sam on Sundays")
        await assertEqual(true, try await copy.exportMarkdown().contains("Asked Sam for help"))

        await assertEqual(try await copy.deleteEverything() > 0, true)
        await assertEqual(try await copy.list(), [])
    }
}
