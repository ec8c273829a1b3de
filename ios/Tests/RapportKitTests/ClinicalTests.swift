// The clinical layer from Swift: "since we last met" and an export imported
// into an empty store.
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
        try await store.checkInPHQ9([2, 2, 1, 1, 1, 1, 1, 1, 0], at: moment(3))
        try await store.checkInPHQ9([1, 1, 1, 1, 1, 1, 1, 0, 1], at: moment(10))
        try await store.save(AfterCarePlan(warningSigns: ["sleeping badly for a week"], planForAfter: "Call Sam on Sundays"))
        return store
    }

    func testTheSessionSummaryLinksMoodDipsToInteractionsAndFlagsItem9() async throws {
        let store = try await filledStore("a.db")
        let summary = try await store.sessionSummary(from: moment(1), today: moment(14))
        XCTAssertNil(summary.clientId)
        XCTAssertEqual(summary.range.to, Day.string(moment(14)))
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

        let timeline = try await store.timeline(from: moment(1), to: moment(31), filter: TimelineFilter(kinds: [.win, .interaction]))
        XCTAssertEqual(timeline.map(\.kind), [.interaction, .win])
        await assertEqual(try await store.terminationReview(until: moment(20)).warningSigns, ["sleeping badly for a week"])
    }

    func testAnExportImportsIntoAnEmptyStore() async throws {
        let original = try await filledStore("a.db")
        let json = try await original.exportJSON()
        let copy = try await RecordStore(url: folder.appendingPathComponent("b.db"))
        let report = try await copy.importJSON(json)
        XCTAssertEqual(report.documents, report.changed)
        await assertEqual(Set(try await copy.list().map(\.id)), Set(try await original.list().map(\.id)))
        await assertEqual(try await copy.afterCarePlan().planForAfter, "Call Sam on Sundays")
        await assertEqual(true, try await copy.exportMarkdown().contains("Asked Sam for help"))

        await assertEqual(try await copy.deleteEverything() > 0, true)
        await assertEqual(try await copy.list(), [])
    }
}
