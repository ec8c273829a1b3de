// The account key, as the Kotlin suite checks it: a second device pairs and
// shows the same code, then reads the first one's items; a mistyped kit and a
// short key are typed errors; a client and its therapist agree on the safety
// number; the key is in no printed form of anything; a lost device is cut
// off by a new account key, which the other devices take from the new kit.
import Foundation
import XCTest

@testable import RapportKit

final class AccountKeyTests: ServerTestCase {
    func testAPairedDeviceShowsTheSameCodeAndReadsTheOtherOnesItems() async throws {
        let phone = try await device("phone")
        let vault = MemorySessionVault()
        let tablet = try await device("tablet", vault: vault)
        try await phone.signUp(email: "p@example.org", password: "correct horse battery", role: .client, displayName: "P")
        let win = try await phone.store.add(Win(occurredAt: moment(4), title: "Called my sister"))
        try await phone.syncNow()

        try await tablet.signIn(email: "p@example.org", password: "correct horse battery")
        await assertNil(await tablet.accountKey())
        let offer = try await PairingOffer()
        // The offer goes from the new device's screen to the old one.
        let seal = try await phone.sealForPairing(offer: offer.offer)
        let code = try await tablet.acceptPairing(offer, sealed: seal.sealed)
        XCTAssertEqual(code, seal.code)
        XCTAssertEqual(code.count, 6)
        XCTAssertTrue(code.allSatisfy(\.isNumber), code)
        let key = await phone.accountKey()
        await assertEqual(await tablet.accountKey(), key)
        XCTAssertEqual(try vault.loadAccountKey(), key, "the paired key is kept in the vault")

        let report = try await tablet.syncNow()
        XCTAssertGreaterThanOrEqual(report.pulled, 1)
        await assertEqual(try await tablet.store.win(win.meta.id).win.title, "Called my sister")
    }

    func testALostDeviceIsCutOffByANewAccountKeyAndTheOthersFollowWithTheNewKit() async throws {
        let vault = MemorySessionVault()
        let phone = try await device("phone", vault: vault)
        let tablet = try await device("tablet")
        let laptop = try await device("laptop")
        try await phone.signUp(email: "r@example.org", password: "correct horse battery", role: .client, displayName: "R")
        let oldKit = try await phone.recoveryKit()
        try await phone.syncNow()
        for other in [tablet, laptop] {
            try await other.signIn(email: "r@example.org", password: "correct horse battery")
            try await other.useRecoveryKit(oldKit)
            try await other.syncNow()
        }
        let tabletSession = await tablet.session
        let lost = try XCTUnwrap(tabletSession)
        try await phone.revokeDevice(lost.deviceId)
        let next = SyncSession.newAccountKey()
        try await phone.replaceAccountKey(next)
        await assertEqual(await phone.accountKey(), next)
        XCTAssertEqual(try vault.loadAccountKey(), next, "the vault keeps the new key")
        XCTAssertNil(try vault.loadPendingAccountKey(), "and no pending one")
        let win = try await phone.store.add(Win(occurredAt: moment(5), title: "After the loss"))
        try await phone.syncNow()

        // The laptop kept the old key: a typed error, then the new kit.
        await assertThrows(try await laptop.syncNow()) { error in
            guard case SyncError.AccountKeyReplaced = error else { return XCTFail("unexpected \(error)") }
        }
        await assertThrows(try await laptop.useRecoveryKit(oldKit)) { error in
            guard case SyncError.ReplacedRecoveryKit = error else { return XCTFail("unexpected \(error)") }
        }
        try await laptop.useRecoveryKit(try await phone.recoveryKit())
        try await laptop.syncNow()
        await assertEqual(try await laptop.store.win(win.meta.id).win.title, "After the loss")
        let newKit = try await phone.recoveryKit()
        XCTAssertNotEqual(newKit, oldKit)
    }

    func testAMistypedKitAShortKeyAndNoKeyAreTypedErrors() async throws {
        let phone = try await device("phone")
        await assertThrows(try await phone.recoveryKit()) { error in
            guard case SyncError.NoAccountKey = error else { return XCTFail("unexpected \(error)") }
        }
        try await phone.signUp(email: "m@example.org", password: "correct horse battery", role: .client, displayName: "M")
        let kit = try await phone.recoveryKit()
        let typo = (kit.first == "A" ? "B" : "A") + String(kit.dropFirst())
        await assertThrows(try await phone.useRecoveryKit(typo)) { error in
            guard case SyncError.Sealing = error else { return XCTFail("unexpected \(error)") }
            XCTAssertFalse((error as? SyncError)?.message.isEmpty ?? true)
        }
        await assertEqual(try await phone.recoveryKit(), kit, "a mistyped kit changes nothing")
        await assertThrows(try await phone.useAccountKey(AccountKey(secretData: Data(count: 31)))) { error in
            guard case SyncError.Sealing = error else { return XCTFail("unexpected \(error)") }
            XCTAssertTrue((error as? SyncError)?.message.hasPrefix("account_key:") ?? false, "\(error)")
        }
        await assertEqual(try await phone.recoveryKit(), kit)
    }

    func testAClientAndItsTherapistSeeTheSameSafetyNumber() async throws {
        let client = try await device("client")
        let therapist = try await device("therapist")
        let c = try await client.signUp(email: "sc@example.org", password: "correct horse battery", role: .client, displayName: "C")
        let t = try await therapist.signUp(email: "st@example.org", password: "correct horse battery", role: .therapist, displayName: "T")
        try await therapist.redeemInvite(try await client.createInvite().code)
        let ours = try await client.safetyNumber(with: t.accountId)
        await assertEqual(try await therapist.safetyNumber(with: c.accountId), ours)
        let groups = ours.split(separator: " ")
        XCTAssertEqual(groups.count, 4, ours)
        XCTAssertTrue(groups.allSatisfy { $0.count == 5 && $0.allSatisfy(\.isNumber) }, ours)
    }

    func testTheAccountKeyIsInNoPrintedFormOfAnything() async throws {
        let vault = MemorySessionVault()
        let phone = try await device("phone", vault: vault)
        let tablet = try await device("tablet")
        let session = try await phone.signUp(email: "r@example.org", password: "correct horse battery", role: .client, displayName: "R")
        let kept = await phone.accountKey()
        let key = try XCTUnwrap(kept)
        try await tablet.signIn(email: "r@example.org", password: "correct horse battery")
        let offer = try await PairingOffer()
        let seal = try await phone.sealForPairing(offer: offer.offer)
        _ = try await tablet.acceptPairing(offer, sealed: seal.sealed)

        let bytes = [UInt8](key.secretData())
        let forms = [
            bytes.map { String(format: "%02x", $0) }.joined(),
            bytes.map { String(format: "%02X", $0) }.joined(),
            key.secretData().base64EncodedString(),
            "\(bytes)",
        ]
        let values: [Any] = [key, Optional(key) as Any, [key], phone, tablet, vault, session, offer, seal]
        for value in values {
            var dumped = ""
            dump(value, to: &dumped)
            let printed = [String(describing: value), String(reflecting: value), dumped].joined(separator: "\n")
            for form in forms { XCTAssertFalse(printed.contains(form), "the key is printed as \(form) in \(printed)") }
        }
        XCTAssertEqual(key.description, "AccountKey(<redacted>)")
    }
}
