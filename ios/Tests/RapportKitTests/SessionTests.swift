// The session's token is in no printed form of it, and a kept session
// resumes on the next launch.
import Foundation
import XCTest

@testable import RapportKit
import RapportBindings

final class SessionTests: XCTestCase {
    private let token = "tok-5f3a9c0e7d1b"

    private func everyPrintedForm(of value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        var printed = ""
        print(value, to: &printed)
        debugPrint(value, to: &printed)
        return [
            String(describing: value), String(reflecting: value), "\(value)", dumped, printed,
            String(describing: [value]), String(reflecting: Optional(value)),
            Mirror(reflecting: value).children.map { "\($0.label ?? ""): \($0.value)" }.joined(separator: ", "),
        ]
    }

    func testTheTokenIsRedactedFromEveryDescription() {
        let session = RapportKit.Session(RapportBindings.Session(accountId: "acc-1", role: .client, deviceId: "dev-1", token: token))
        for text in everyPrintedForm(of: session) {
            XCTAssertFalse(text.contains(token), text)
        }
        XCTAssertTrue(session.description.contains("acc-1"), session.description)
        XCTAssertTrue(session.description.contains("<redacted>"), session.description)
        // The protocol's generated record does print it: that is why apps never see it.
        XCTAssertTrue(String(reflecting: session.info).contains(token))
        // Redacted, not lost: the vault's bytes keep it.
        XCTAssertEqual(RapportKit.Session(secretData: session.secretData())?.token, token)
        XCTAssertEqual(RapportKit.Session(secretData: session.secretData()), session)
        XCTAssertNil(RapportKit.Session(secretData: Data("not a session".utf8)))
    }

    func testASessionKeptInTheVaultResumesOnTheNextLaunchAndIsNeverPrinted() async throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let vault = MemorySessionVault()
        let store = try await RecordStore(url: folder.appendingPathComponent("record.db"))
        let phone = try await SyncSession(store: store, serverURL: server.url, deviceName: "phone", vault: vault)
        let session = try await phone.signUp(
            email: "v@example.org", password: "correct horse battery", role: .client, displayName: "V")
        XCTAssertEqual(try vault.load(), session)
        XCTAssertFalse(session.token.isEmpty)
        // The new account's key is kept beside the session.
        let key = try XCTUnwrap(try vault.loadAccountKey())
        XCTAssertEqual(key.secretData().count, 32)
        await assertEqual(await phone.accountKey(), key)
        for text in everyPrintedForm(of: phone) + everyPrintedForm(of: vault) {
            XCTAssertFalse(text.contains(session.token), text)
        }

        // The next launch: a new session object over the same record.
        let relaunched = try await SyncSession(store: store, serverURL: server.url, deviceName: "phone", vault: vault)
        await assertNil(await relaunched.session)
        await assertNil(await relaunched.accountKey())
        await assertEqual(try await relaunched.resumeSavedSession(), session)
        await assertEqual(await relaunched.session, session)
        await assertEqual(await relaunched.accountKey(), key, "the kept key was handed over")
        try await store.add(Win(occurredAt: moment(4), title: "Kept signed in"))
        await assertEqual(try await relaunched.syncNow().pushed > 0, true, "the resumed session is accepted")

        try await relaunched.signOut()
        XCTAssertNil(try vault.load())
        XCTAssertEqual(try vault.loadAccountKey(), key, "signing in again needs the key: kept at sign-out")
        let again = try await SyncSession(store: store, serverURL: server.url, deviceName: "phone", vault: vault)
        await assertNil(try await again.resumeSavedSession())
    }
}
