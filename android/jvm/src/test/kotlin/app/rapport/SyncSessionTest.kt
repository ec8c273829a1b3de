// Two devices of one client sync through a real rapport-server process on a
// free loopback port: write on one, sync both, read on the other.
package app.rapport

import app.rapport.ffi.SyncException
import app.rapport.ffi.SyncState
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.time.Instant
import java.util.concurrent.SynchronousQueue
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread

class SyncSessionTest {
    @TempDir
    lateinit var dir: File
    private lateinit var server: Process
    private lateinit var url: String

    @BeforeEach
    fun startServer() {
        // rapport-server is built next to the library (android/jvm/test.sh builds both).
        val libDir = System.getProperty("rapport.libDir") ?: error("rapport.libDir is not set")
        val binary = File(libDir, "rapport-server")
        check(binary.canExecute()) { "$binary is missing: run cargo build -p rapport-server" }
        server =
            ProcessBuilder(
                binary.path,
                "--listen", "127.0.0.1:0",
                "--database", File(dir, "server.sqlite3").path,
                "--argon2-memory-kib", "1024",
                "--rate-per-sec", "10000",
                "--rate-burst", "10000",
            ).redirectError(ProcessBuilder.Redirect.INHERIT)
                .apply { environment()["RUST_LOG"] = "warn" }
                .start()
        val firstLine = SynchronousQueue<String>()
        thread(isDaemon = true) {
            server.inputStream.bufferedReader().useLines { lines ->
                lines.forEachIndexed { n, line -> if (n == 0) firstLine.put(line) }
            }
        }
        val line = firstLine.poll(30, TimeUnit.SECONDS) ?: error("rapport-server did not start")
        val prefix = "rapport-server listening on "
        check(line.startsWith(prefix)) { "unexpected first line: $line" }
        url = line.removePrefix(prefix).trim()
    }

    @AfterEach
    fun stopServer() {
        server.destroy()
        if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly()
    }

    @Test
    fun `a win written on one device is read on the other after both sync`() =
        runBlocking {
            RecordStore.open(File(dir, "phone.db")).use { phone ->
                RecordStore.open(File(dir, "tablet.db")).use { tablet ->
                    SyncSession(phone, url, "phone").use { a ->
                        SyncSession(tablet, url, "tablet").use { b ->
                            withTimeout(60_000) {
                                val signedUp = a.signUp("ada@example.org", "correct horse battery", "Ada")
                                assertEquals(Role.CLIENT, signedUp.role)
                                val signedIn = b.signIn("ada@example.org", "correct horse battery")
                                assertEquals(signedUp.accountId, signedIn.accountId)
                                assertEquals(signedIn, b.session)

                                val win = phone.add(Win(occurredAt = Instant.parse("2025-07-14T18:30:00Z"), title = "Asked Sam calmly"))
                                assertTrue(a.syncNow().pushed >= 1u)
                                assertTrue(b.syncNow().pulled >= 1u)

                                assertEquals(win.win, tablet.win(win.meta.id).win)
                                assertEquals(listOf("Asked Sam calmly"), tablet.search("calmly").map { it.title })
                                val status = b.status.first()
                                assertNotNull(status.lastSyncedAt)
                                assertEquals(SyncState.Idle, status.state)
                            }
                        }
                    }
                }
            }
        }

    @Test
    fun `a wrong password is a typed exception with the Rust message`() =
        runBlocking {
            RecordStore.open(File(dir, "phone.db")).use { store ->
                SyncSession(store, url, "phone").use { sync ->
                    sync.signUp("kim@example.org", "a long enough password", "Kim")
                    RecordStore.open(File(dir, "other.db")).use { other ->
                        SyncSession(other, url, "other").use { second ->
                            val error = assertThrows<SyncException.BadCredentials> { runBlocking { second.signIn("kim@example.org", "wrong password!") } }
                            assertTrue(error.message!!.isNotBlank())
                        }
                    }
                }
            }
        }
}
