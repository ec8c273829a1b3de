// RecordStore as an app uses it: every record kind written and read back,
// search, the PHQ-9 safety alert offline, typed errors with the Rust
// message, and the change stream. Mirrors the JVM suite.
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
        let milestone = try XCTUnwrap(goal.goal.milestones.first)
        goal = try await store.completeMilestone(milestone.id, of: goal.meta.id, at: moment(5))
        goal = try await store.logBarrier("Sam was tired", on: goal.meta.id, at: moment(6))
        goal = try await store.logCourseCorrection("Try on Sunday morning", on: goal.meta.id, at: moment(6, hour: 19))
        await assertEqual(try await store.goal(goal.meta.id).goal.courseLog.map(\.kind), [.barrier, .courseCorrection])
        XCTAssertEqual(goal.goal.milestones.first?.completedAt, moment(5))

        let interaction = Interaction(
            personId: sam.meta.id, occurredAt: moment(4), channel: .inPerson, initiatedBy: .me,
            whatIWanted: "Share the chores", whatISaid: "I feel tired when I do them alone",
            feelings: [Feeling(label: "anxious", intensity: 6)], moodBefore: 4, moodAfter: 7,
            gotWhatIWanted: .partly, relationship: .better, skillsUsed: ["\"I\" statements"],
            goal: GoalLink(goalId: goal.meta.id, milestoneId: milestone.id))
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

        let phq9 = try await store.checkInPHQ9([1, 1, 1, 1, 1, 1, 1, 1, 0], at: moment(8))
        XCTAssertEqual(phq9.item.total, 8)
        XCTAssertEqual(phq9.item.severity, .mild)
        await assertEqual(try await store.phq9CheckIn(phq9.item.meta.id).total, 8)

        try await store.save(Profile(problemArea: .roleDispute, formulation: "Chores dispute", phase: .middle, currentSession: 5))
        await assertEqual(try await store.profile().problemArea, .roleDispute)

        try await store.setDisputeStage(.renegotiation, with: sam.meta.id, at: moment(3))
        await assertEqual(try await store.person(sam.meta.id).disputeStage, .renegotiation)

        let kinds = Set(try await store.list().map(\.kind))
        XCTAssertEqual(kinds, [.person, .goal, .interaction, .win, .reflection, .rehearsal, .moodCheckIn, .phq9CheckIn, .profile])
        await assertEqual(try await store.list(ListQuery(kinds: [.win])).count, 1)

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
        let saved = try await store.checkInPHQ9([0, 0, 0, 0, 0, 0, 0, 0, 1], at: moment(9))
        let alert = try XCTUnwrap(saved.safetyAlert)
        XCTAssertEqual(alert.reason, .phq9Item9)
        XCTAssertFalse(alert.resources.isEmpty)
        XCTAssertTrue(alert.message.contains("not monitored in real time"), alert.message)
        await assertEqual(alert.resources, try await store.crisisResources())

        let local = [CrisisResource(
            name: "Local crisis line", contact: .phone(number: "0800 000 000"),
            hours: "", region: nil, uri: nil)]
        try await store.setCrisisResources(local)
        let again = try await store.checkInPHQ9([0, 0, 0, 0, 0, 0, 0, 0, 2], at: moment(10))
        // Normalised by the core, first, with the URI the app dials.
        XCTAssertEqual(again.safetyAlert?.resources.first?.uri, "tel:0800000000")
        XCTAssertEqual(again.safetyAlert?.resources.first?.contact, .phone(number: "0800000000"))
        await assertNil(try await store.checkInPHQ9([0, 0, 0, 0, 0, 0, 0, 0, 0], at: moment(11)).safetyAlert)
    }

    func testTheDevicesRegionPicksCrisisLinesEachWithAURIToOpen() async throws {
        try await store.setRegion("US")
        let us = try await store.crisisResources()
        XCTAssertTrue(us.contains { $0.uri == "tel:988" }, "\(us)")
        try await store.setRegion("GB")
        let gb = try await store.crisisResources()
        XCTAssertFalse(gb.contains { $0.uri == "tel:988" }, "\(gb)")
        for resource in us + gb {
            // What the app opens: a structured URI, or nothing for an instruction.
            if let uri = resource.uri {
                XCTAssertTrue(["tel:", "sms:", "https://"].contains { uri.hasPrefix($0) }, uri)
            } else {
                XCTAssertEqual(resource.contact, .instruction)
            }
        }
        await assertThrows(try await store.setRegion("not a region")) { error in
            guard let error = error as? StoreError, case .Invalid = error else { return XCTFail("unexpected \(error)") }
        }
    }

    func testTheTimeZoneIsKeptAndCheckedByTheCore() async throws {
        try await store.setTimeZone("Pacific/Honolulu")
        await assertEqual(try await store.timeZone(), "Pacific/Honolulu")
        await assertThrows(try await store.setTimeZone("Mars/Olympus_Mons")) { error in
            guard let error = error as? StoreError, case .Invalid = error else { return XCTFail("unexpected \(error)") }
        }
        await assertEqual(try await store.timeZone(), "Pacific/Honolulu")
    }

    func testErrorsArriveAsTypedSwiftErrorsWithTheRustMessage() async throws {
        await assertThrows(try await store.add(Win(occurredAt: moment(1), title: "  "))) { error in
            guard let error = error as? StoreError, case .Invalid = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertTrue(error.message.hasPrefix("title:"), error.message)
        }
        await assertThrows(try await store.win("no-such-win")) { error in
            guard let error = error as? StoreError, case .NotFound = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertTrue(error.message.contains("no-such-win"), error.message)
        }
        await assertThrows(try await store.checkInPHQ9([1, 1, 1])) { error in
            XCTAssertNotNil(error as? StoreError, "\(error)")
        }
        await assertThrows(try await store.importJSON("{\"format\":")) { error in
            guard let error = error as? StoreError, case .Malformed = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertTrue(error.message.contains("nothing was imported"), error.message)
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
            guard let error = error as? StoreError, case .UnusableFile = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertTrue(error.message.contains("cannot be opened with this key"), error.message)
        }
        await assertThrows(try await RecordStore(url: url, key: Data([1, 2, 3]))) { error in
            guard let error = error as? StoreError, case .Invalid = error else {
                return XCTFail("unexpected \(error)")
            }
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
        XCTAssertEqual(first?.first?.removed, false)

        try await store.delete(win.meta.id)
        let second = await iterator.next()
        XCTAssertEqual(second?.first?.removed, true)
    }
}
