// Test support: a temporary folder per test, a store in it, and the real
// rapport-server process (RAPPORT_SERVER_BIN, set by scripts/test-linux.sh).
import Foundation
import XCTest

@testable import RapportKit

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("rapportkit-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A fixed moment, to the millisecond (as the record keeps times).
func moment(_ day: Int, hour: Int = 18) -> Date {
    var utc = Calendar(identifier: .gregorian)
    utc.timeZone = TimeZone(identifier: "UTC")!
    return utc.date(from: DateComponents(year: 2025, month: 3, day: day, hour: hour))!
}

/// The calendar day of `moment(day)` (March 2025).
func day(_ day: Int) -> CalendarDay {
    CalendarDay(year: 2025, month: 3, day: day)!
}

/// A test case with the real server and a temporary folder per test, and
/// devices (a store and its sync session) in that folder.
class ServerTestCase: XCTestCase {
    var server: ServerProcess!
    var folder: URL!

    override func setUp() async throws {
        server = try ServerProcess()
        folder = try temporaryFolder()
    }

    override func tearDown() async throws {
        server?.stop()
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    func device(_ name: String, vault: (any SessionVault)? = nil) async throws -> SyncSession {
        let store = try await RecordStore(url: folder.appendingPathComponent("\(name).db"))
        return try await SyncSession(store: store, serverURL: server.url, deviceName: name, vault: vault)
    }
}

enum ServerProcessError: Error {
    case notConfigured(String)
}

/// `rapport-server` on a free loopback port with a fresh database; stopped
/// by `stop()` (and on deinit).
final class ServerProcess {
    let process = Process()
    let folder: URL
    private var stopped = false
    private(set) var url: URL!

    /// `argon2MemoryKiB` sets how long the server takes to hash a password
    /// (the cancellation test wants a slow sign-in).
    init(argon2MemoryKiB: Int = 1024) throws {
        guard let binary = ProcessInfo.processInfo.environment["RAPPORT_SERVER_BIN"] else {
            // A failure, not a skip: a missing server must never pass unnoticed.
            throw ServerProcessError.notConfigured(
                "set RAPPORT_SERVER_BIN to a built rapport-server (ios/scripts/test-linux.sh does)")
        }
        folder = try temporaryFolder()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--listen", "127.0.0.1:0"] + Self.database(in: folder) + [
            "--argon2-memory-kib", String(argon2MemoryKiB),
            "--rate-per-sec", "10000", "--rate-burst", "10000",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["RUST_LOG"] = "warn"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        try process.run()

        // The first line is "rapport-server listening on http://127.0.0.1:PORT".
        var buffer = Data()
        while !buffer.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // EOF: the server died
            buffer.append(chunk)
        }
        let line = String(decoding: buffer, as: UTF8.self)
            .split(separator: "\n").first.map(String.init) ?? ""
        let prefix = "rapport-server listening on "
        guard line.hasPrefix(prefix), let url = URL(string: String(line.dropFirst(prefix.count))) else {
            stop()
            throw NSError(domain: "ServerProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "unexpected first line: \(line)"])
        }
        self.url = url
    }

    /// A fresh PostgreSQL database on the server RAPPORT_TEST_POSTGRES_URL
    /// names (scripts/test-server-postgres runs the suite that way), or a
    /// SQLite file in `folder`.
    private static func database(in folder: URL) -> [String] {
        guard let postgres = ProcessInfo.processInfo.environment["RAPPORT_TEST_POSTGRES_URL"],
              !postgres.isEmpty, let slash = postgres.lastIndex(of: "/") else {
            return ["--database", folder.appendingPathComponent("server.sqlite3").path]
        }
        let name = "rapport_test_swift_" + UUID().uuidString.lowercased()
            .replacingOccurrences(of: "-", with: "")
        return ["--database", String(postgres[..<slash]) + "/" + name, "--create-database"]
    }

    func stop() {
        if !stopped {
            stopped = true
            let pid = process.processIdentifier
            kill(pid, SIGTERM)
            // Not waitUntilExit() nor isRunning: on Linux, Foundation learns
            // of the exit on the run loop of the thread that started the
            // process, which for an async test (the cooperative pool) never
            // runs. Reap it here (ECHILD if Foundation already did).
            // A second to finish what it is doing; the test's data is thrown
            // away after, so then SIGKILL.
            var status: Int32 = 0
            for attempt in 0..<300 {
                if attempt == 100 { kill(pid, SIGKILL) }
                let reaped = waitpid(pid, &status, WNOHANG)
                if reaped == pid || reaped == -1 { break }
                usleep(10_000)
            }
        }
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }
}

// XCTest's assertions take synchronous autoclosures; RapportKit's calls are
// async. These evaluate first, then assert.

func assertEqual<T: Equatable>(
    _ actual: @autoclosure () async throws -> T, _ expected: @autoclosure () async throws -> T,
    _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) async {
    do {
        let (a, b) = (try await actual(), try await expected())
        XCTAssertEqual(a, b, message, file: file, line: line)
    } catch {
        XCTFail("threw \(error) \(message)", file: file, line: line)
    }
}

func assertNil<T>(
    _ value: @autoclosure () async throws -> T?, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) async {
    do {
        let v = try await value()
        XCTAssertNil(v, message, file: file, line: line)
    } catch {
        XCTFail("threw \(error) \(message)", file: file, line: line)
    }
}

func assertThrows<T>(
    _ expression: @autoclosure () async throws -> T, file: StaticString = #filePath, line: UInt = #line,
    _ handler: (Error) -> Void = { _ in }
) async {
    do {
        let value = try await expression()
        XCTFail("did not throw; returned \(value)", file: file, line: line)
    } catch {
        handler(error)
    }
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(
    _ seconds: Double = 5, _ message: String, file: StaticString = #filePath, line: UInt = #line,
    _ condition: () async -> Bool
) async {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
    XCTFail("not within \(seconds) s: \(message)", file: file, line: line)
}

/// How many stream forwarders Rust still holds: one per live subscription.
func liveStatusForwarders() -> Int { StatusForwarder.live.withLock { $0 } }
func liveChangeForwarders() -> Int { ChangeForwarder.live.withLock { $0 } }
func liveQueryReaders() -> Int { QueryReader.live.withLock { $0 } }
