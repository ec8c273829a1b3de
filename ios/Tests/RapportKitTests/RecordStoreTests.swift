// RecordStore as an app uses it: every record kind written and read back,
// search, paging, the PHQ-9 safety alert offline, typed errors with their
// fields and the Rust message, the change stream and observed lists.
// Mirrors the JVM suite.
import Foundation
import XCTest

@testable import RapportKit

final class RecordStoreTests: XCTestCase {
    var folder: URL!
    var store: RecordStore!

    override func setUp() async throws {
        folder = try temporaryFolder()
        store = try await RecordStore(url: folder.appendingPathComponent("record.db"))
    }

    override func tearDown() async throws {
        store = nil
        try? FileManager.default.removeItem(at: folder)
    }

    func testOpensAStoreInATemporaryFolder() async throws {
        XCTAssertEqual(store.url.lastPathComponent, "record.db")
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.url.path))
        await assertEqual(try await store.list(), [])
    }

    func testWritesAndReadsEveryRecordKind() async throws {
        let sam = try await store.add(Person(nickname: "Sam", relationship: "partner", ring: .inner))
        await assertEqual(try await store.person(sam.meta.id).person.nickname, "Sam")

        var goal = try await store.add(Goal(title: "Raise chores calmly", personIds: [sam.meta.id], status: .active, setAt: moment(1)))
        goal = try await store.addMilestone(to: goal.meta.id, title: "Pick a calm moment")
        goal = try await store.addMilestone(to: goal.meta.id, title: "Ask for Sundays")
        // The milestones are a map by id; the goal's order is their position.
        XCTAssertEqual(goal.goal.milestoneIdsInOrder.compactMap { goal.goal.milestones[$0]?.title },
                       ["Pick a calm moment", "Ask for Sundays"])
        let milestone = try XCTUnwrap(goal.goal.milestoneIdsInOrder.first)
        goal = try await store.completeMilestone(milestone, of: goal.meta.id, at: moment(5))
        goal = try await store.logBarrier("Sam was tired", on: goal.meta.id, at: moment(6))
        goal = try await store.logCourseCorrection("Try on Sunday morning", on: goal.meta.id, at: moment(6, hour: 19))
        await assertEqual(try await store.goal(goal.meta.id).goal.courseLog.map(\.kind), [.barrier, .courseCorrection])
        XCTAssertEqual(goal.goal.milestones[milestone]?.completedAt, moment(5))
        XCTAssertEqual(goal.goal.milestonesDone, 1)
        goal = try await store.setGoalStatus(.paused, of: goal.meta.id)
        XCTAssertEqual(goal.goal.status, .paused)

        let interaction = Interaction(
            personId: sam.meta.id, occurredAt: moment(4), channel: .inPerson, initiatedBy: .me,
            whatIWanted: "Share the chores", whatISaid: "I feel tired when I do them alone",
            feelings: [Feeling(label: "anxious", intensity: 6)], moodBefore: 4, moodAfter: 7,
            gotWhatIWanted: .partly, relationship: .better, skillsUsed: ["\"I\" statements"],
            goal: GoalLink(goalId: goal.meta.id, milestoneId: milestone))
        let storedInteraction = try await store.add(interaction)
        await assertEqual(try await store.interaction(storedInteraction.meta.id).interaction, interaction)

        let win = Win(occurredAt: moment(5), title: "Asked Sam for help", goal: GoalLink(goalId: goal.meta.id))
        await assertEqual(try await store.win(store.add(win).meta.id).win, win)

        let reflection = Reflection(writtenAt: moment(6), text: "Calm moments work better")
        await assertEqual(try await store.reflection(store.add(reflection).meta.id).reflection, reflection)

        let rehearsal = Rehearsal(personId: sam.meta.id, scenario: "Asking for Sundays", whatIWantToSay: "Can we plan together?",
                                  confidenceBefore: 3, confidenceAfter: 6, practicedAt: moment(7))
        await assertEqual(try await store.rehearsal(store.add(rehearsal).meta.id).rehearsal, rehearsal)

        let mood = try await store.checkIn(MoodCheckIn(at: moment(8), rating: 6, event: "A calm talk"))
        XCTAssertNil(mood.safetyAlert)
        await assertEqual(try await store.moodCheckIn(mood.item.meta.id).checkIn.rating, 6)

        let phq9 = try await store.checkIn(Phq9CheckIn(at: moment(8), items: [1, 1, 1, 1, 1, 1, 1, 1, 0]))
        XCTAssertEqual(phq9.item.total, 8)
        XCTAssertEqual(phq9.item.severity, .mild)
        await assertEqual(try await store.phq9CheckIn(phq9.item.meta.id).total, 8)

        try await store.saveProfile(Profile(
            problemArea: .roleDispute, formulation: "Chores dispute",
            formulationAcceptedOn: CalendarDay(iso: "2025-03-02"), phase: .middle, currentSession: 5))
        await assertEqual(try await store.profile().problemArea, .roleDispute)
        await assertEqual(try await store.profile().formulationAcceptedOn, CalendarDay(year: 2025, month: 3, day: 2))

        try await store.setDisputeStage(.renegotiation, with: sam.meta.id, at: moment(3))
        await assertEqual(try await store.person(sam.meta.id).disputeStage, .renegotiation)

        let kinds = Set(try await store.list().map(\.kind))
        XCTAssertEqual(kinds, [.person, .goal, .interaction, .win, .reflection, .rehearsal, .moodCheckIn, .phq9CheckIn, .profile])
        await assertEqual(try await store.list(ListQuery(kinds: [.win])).count, 1)
        await assertEqual(try await store.list(.win, .reflection).map(\.kind), [.reflection, .win])
        await assertEqual(try await store.inventory().map(\.title), ["Sam"])
        await assertEqual(try await store.kindOf(sam.meta.id), .person)
        await assertNil(try await store.ownerOf(sam.meta.id), "this account's own")

        try await store.setShared(storedInteraction.meta.id, true)
        await assertEqual(try await store.summary(of: storedInteraction.meta.id)?.shared, true)
        try await store.delete(storedInteraction.meta.id)
        await assertNil(try await store.summary(of: storedInteraction.meta.id))
    }

    func testSearchFindsEntriesByTheirText() async throws {
        let sam = try await store.add(Person(nickname: "Sam", ring: .inner))
        try await store.add(Interaction(personId: sam.meta.id, occurredAt: moment(4), channel: .phone, initiatedBy: .them,
                                  whatIWanted: "Talk about the holiday plans"))
        try await store.add(Win(occurredAt: moment(5), title: "Said no to overtime"))
        let hits = try await store.search("holiday")
        XCTAssertEqual(hits.map(\.kind), [.interaction])
        await assertEqual(try await store.search("overtime").first?.title, "Said no to overtime")
        await assertEqual(try await store.search("nothing-like-this"), [])
    }

    func testPHQ9Item9AboveZeroReturnsCrisisResourcesOffline() async throws {
        let saved = try await store.checkIn(Phq9CheckIn(at: moment(9), items: [0, 0, 0, 0, 0, 0, 0, 0, 1]))
        let alert = try XCTUnwrap(saved.safetyAlert)
        XCTAssertEqual(alert.reason, .phq9Item9)
        XCTAssertFalse(alert.resources.isEmpty)
        XCTAssertTrue(alert.message.contains("not monitored in real time"), alert.message)
        await assertEqual(alert.resources, try await store.crisisResources())

        let local = [CrisisResource(
            name: "Local crisis line", contact: .phone(number: "0800 000 000"),
            hours: "", region: nil)]
        try await store.setCrisisResources(local)
        let again = try await store.checkIn(Phq9CheckIn(at: moment(10), items: [0, 0, 0, 0, 0, 0, 0, 0, 2]))
        // Normalised by the core, first, with the URI the app dials.
        XCTAssertEqual(again.safetyAlert?.resources.first?.uri(), "tel:0800000000")
        XCTAssertEqual(again.safetyAlert?.resources.first?.contact, .phone(number: "0800000000"))
        await assertNil(try await store.checkIn(Phq9CheckIn(at: moment(11), items: [0, 0, 0, 0, 0, 0, 0, 0, 0])).safetyAlert)
    }

    func testTheDevicesRegionPicksCrisisLinesEachWithAURIToOpen() async throws {
        try await store.setRegion("US")
        let us = try await store.crisisResources()
        XCTAssertTrue(us.contains { $0.uri() == "tel:988" }, "\(us)")
        try await store.setRegion("GB")
        let gb = try await store.crisisResources()
        XCTAssertFalse(gb.contains { $0.uri() == "tel:988" }, "\(gb)")
        for resource in us + gb {
            // What the app opens: a structured URI, or nothing for an instruction.
            if let uri = resource.uri() {
                XCTAssertTrue(["tel:", "sms:", "https://"].contains { uri.hasPrefix($0) }, uri)
            } else {
                XCTAssertEqual(resource.contact, .instruction)
            }
        }
        await assertThrows(try await store.setRegion("not a region")) { error in
            guard case StoreError.Invalid(field: "region", _) = error else { return XCTFail("unexpected \(error)") }
        }
    }

    func testTheTimeZoneIsKeptAndCheckedByTheCore() async throws {
        try await store.setTimeZone("Pacific/Honolulu")
        await assertEqual(try await store.timeZone(), "Pacific/Honolulu")
        await assertThrows(try await store.setTimeZone("Mars/Olympus_Mons")) { error in
            guard case StoreError.Invalid(field: "time_zone", _) = error else { return XCTFail("unexpected \(error)") }
        }
        await assertEqual(try await store.timeZone(), "Pacific/Honolulu")
    }

    func testErrorsArriveAsTypedValuesWithTheirFieldsAndTheRustMessage() async throws {
        // Which field was wrong, as the record spells it: an app can mark it.
        await assertThrows(try await store.checkIn(MoodCheckIn(at: moment(1), rating: 300))) { error in
            guard case StoreError.Invalid(let field, let reason) = error else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(field, "rating")
            XCTAssertFalse(reason.isEmpty)
            XCTAssertEqual((error as? StoreError)?.message, "rating: \(reason)")
        }
        await assertThrows(try await store.add(Win(occurredAt: moment(1), title: "  "))) { error in
            guard case StoreError.Invalid(field: "title", _) = error else { return XCTFail("unexpected \(error)") }
        }
        await assertThrows(try await store.checkIn(Phq9CheckIn(at: moment(1), items: [1, 1, 1]))) { error in
            guard case StoreError.Invalid(field: "items", _) = error else { return XCTFail("unexpected \(error)") }
        }
        // Which id was not found.
        await assertThrows(try await store.win("no-such-win")) { error in
            guard case StoreError.NotFound(_, let id) = error else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(id, "no-such-win")
            XCTAssertTrue((error as? StoreError)?.message.contains("no-such-win") ?? false, "\(error)")
        }
        await assertThrows(try await store.importJson("{\"format\":")) { error in
            guard case StoreError.Malformed(itemId: nil, let reason) = error else { return XCTFail("unexpected \(error)") }
            XCTAssertTrue(reason.contains("nothing was imported"), reason)
        }
    }

    func testAnEncryptedRecordOpensOnlyWithItsKey() async throws {
        let url = folder.appendingPathComponent("secret.db")
        let key = try await RecordStore.newKey()
        XCTAssertEqual(key.count, 32)
        var secret: RecordStore? = try await RecordStore(url: url, key: key)
        let win = try await secret!.add(Win(occurredAt: moment(1), title: "Asked for help"))
        secret = nil

        await assertThrows(try await RecordStore(url: url, key: try await RecordStore.newKey())) { error in
            guard case StoreError.NotOurDatabase(let path, wrongKey: true) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(path, url.path)
        }
        await assertThrows(try await RecordStore(url: url, key: Data([1, 2, 3]))) { error in
            guard case StoreError.Invalid(field: "key", _) = error else { return XCTFail("unexpected \(error)") }
        }
        let reopened = try await RecordStore(url: url, key: key)
        await assertEqual(try await reopened.win(win.meta.id).win.title, "Asked for help")
    }

    func testTheChangeStreamFiresAfterWrites() async throws {
        let stream = store.changes
        var iterator = stream.makeAsyncIterator()
        let win = try await store.add(Win(occurredAt: moment(5), title: "Called Mum"))
        let first = await iterator.next()
        XCTAssertEqual(first?.map(\.id), [win.meta.id])
        XCTAssertEqual(first?.first?.kind, .win)
        XCTAssertEqual(first?.first?.op, .upserted)

        try await store.delete(win.meta.id)
        let second = await iterator.next()
        XCTAssertEqual(second?.first?.op, .removed)
    }

    func testAPageOfTheListComesWithTheTotal() async throws {
        for day in 1...5 {
            try await store.add(Win(occurredAt: moment(day), title: "Win \(day)"))
        }
        try await store.add(Reflection(writtenAt: moment(6), text: "Not a win"))
        let page = try await store.listPage(ListQuery(kinds: [.win], offset: 2, limit: 2))
        XCTAssertEqual(page.total, 5)
        XCTAssertEqual(page.items.map(\.title), ["Win 3", "Win 2"], "newest first, from the offset")
        let past = try await store.listPage(ListQuery(kinds: [.win], offset: 5, limit: 2))
        XCTAssertEqual(past.items, [])
        XCTAssertEqual(past.total, 5)
        // since is inclusive, until exclusive.
        await assertEqual(try await store.list(ListQuery(kinds: [.win], since: moment(2), until: moment(4))).map(\.title),
                          ["Win 3", "Win 2"])
    }

    func testAnObservedListSendsTheCurrentRowsFirstThenTheRowsAfterEachChange() async throws {
        let before = try await store.add(Win(occurredAt: moment(1), title: "Before"))
        var rows = store.observe(ListQuery(kinds: [.win])).makeAsyncIterator()
        // The current rows, before any change.
        await assertEqual(try await rows.next()?.map(\.title), ["Before"])

        let after = try await store.add(Win(occurredAt: moment(2), title: "After"))
        await assertEqual(try await rows.next()?.map(\.title), ["After", "Before"])
        try await store.delete(before.meta.id)
        await assertEqual(try await rows.next()?.map(\.id), [after.meta.id])
        // Another kind changes: the rows are read again, and are the same.
        try await store.add(Reflection(writtenAt: moment(3), text: "Not a win"))
        await assertEqual(try await rows.next()?.map(\.id), [after.meta.id])
    }
}
