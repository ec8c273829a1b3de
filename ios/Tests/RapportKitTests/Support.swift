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

enum ServerProcessError: Error {
    case notConfigured(String)
}

/// `rapport-server` on a free loopback port with a fresh database; stopped
/// by `stop()` (and on deinit).
final class ServerProcess {
    let process = Process()
    let folder: URL
    private(set) var url: URL!

    init() throws {
        guard let binary = ProcessInfo.processInfo.environment["RAPPORT_SERVER_BIN"] else {
            // A failure, not a skip: a missing server must never pass unnoticed.
            throw ServerProcessError.notConfigured(
                "set RAPPORT_SERVER_BIN to a built rapport-server (ios/scripts/test-linux.sh does)")
        }
        folder = try temporaryFolder()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--listen", "127.0.0.1:0",
            "--database", folder.appendingPathComponent("server.sqlite3").path,
            "--argon2-memory-kib", "1024",
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

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }
}
