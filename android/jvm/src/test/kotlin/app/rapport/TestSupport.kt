// What the JUnit suites share: a "main" thread that no FFI call may run on,
// the real rapport-server process, and a slow link to hold requests in flight.
package app.rapport

import java.io.File
import java.io.InputStream
import java.io.OutputStream
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.Executors
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.SynchronousQueue
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.concurrent.thread
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue

/** The FFI calls the library made while [runOnMainThread] ran, with the thread of each. */
class FfiCallLog {
    lateinit var mainThread: Thread
    val calls = ConcurrentLinkedQueue<Pair<String, Thread>>()

    /** The calls made on the "main" thread. */
    val onMain: List<String> get() = calls.filter { it.second === mainThread }.map { it.first }
}

/**
 * Runs [body] on a single thread named "main", as an app's UI code runs, and
 * records every FFI call the library makes through its one door
 * ([FfiCalls.check]); a call on that thread is refused with an
 * IllegalStateException that names it.
 */
fun runOnMainThread(body: suspend CoroutineScope.(FfiCallLog) -> Unit): FfiCallLog {
    val log = FfiCallLog()
    val executor = Executors.newSingleThreadExecutor { task -> Thread(task, "main").also { log.mainThread = it } }
    FfiCalls.check = { call, thread ->
        log.calls += call to thread
        check(thread !== log.mainThread) { "FFI call $call on the main thread" }
    }
    try {
        executor.asCoroutineDispatcher().use { main -> runBlocking(main) { body(log) } }
    } finally {
        FfiCalls.check = null
        executor.shutdownNow()
    }
    return log
}

/**
 * [runOnMainThread], failing if any FFI call ran on the main thread, or if
 * none was seen at all (then the door would not be watched).
 */
fun onMainThread(body: suspend CoroutineScope.(FfiCallLog) -> Unit) {
    val log = runOnMainThread(body)
    assertEquals(emptyList<String>(), log.onMain, "FFI calls made on the main thread")
    assertTrue(log.calls.isNotEmpty(), "no FFI call went through FfiCalls.check")
}

/** assertThrows for suspend calls: the exception [block] threw, if it is a [T]. */
suspend inline fun <reified T : Throwable> assertThrowsSuspend(block: () -> Unit): T {
    try {
        block()
    } catch (e: Throwable) {
        if (e is T) return e
        throw AssertionError("expected ${T::class.simpleName}, got $e", e)
    }
    throw AssertionError("expected ${T::class.simpleName}, nothing was thrown")
}

/**
 * Where a test server keeps its data: a fresh PostgreSQL database on the server
 * `RAPPORT_TEST_POSTGRES_URL` names (scripts/test-server-postgres runs the suite
 * that way), or a SQLite file in [dir].
 */
internal fun serverDatabase(dir: File): List<String> {
    val postgres = System.getenv("RAPPORT_TEST_POSTGRES_URL")?.takeIf { it.isNotBlank() }
        ?: return listOf("--database", File(dir, "server.sqlite3").path)
    val name = "rapport_test_jvm_" + java.util.UUID.randomUUID().toString().replace("-", "")
    return listOf("--database", postgres.substringBeforeLast('/') + "/" + name, "--create-database")
}

/** The real rapport-server on a free loopback port, with a temporary database in [dir]. */
class RapportServer(dir: File) : AutoCloseable {
    private val process: Process
    val url: String

    init {
        // rapport-server is built next to the library (android/jvm/test.sh builds both).
        val libDir = System.getProperty("rapport.libDir") ?: error("rapport.libDir is not set")
        val binary = File(libDir, "rapport-server")
        check(binary.canExecute()) { "$binary is missing: run cargo build -p rapport-server" }
        process =
            ProcessBuilder(
                listOf(binary.path, "--listen", "127.0.0.1:0") +
                    serverDatabase(dir) +
                    listOf("--argon2-memory-kib", "1024") +
                    listOf("--rate-per-sec", "10000", "--rate-burst", "10000")
            ).redirectError(ProcessBuilder.Redirect.INHERIT)
                .apply { environment()["RUST_LOG"] = "warn" }
                .start()
        val firstLine = SynchronousQueue<String>()
        thread(isDaemon = true) {
            process.inputStream.bufferedReader().useLines { lines ->
                lines.forEachIndexed { n, line -> if (n == 0) firstLine.put(line) }
            }
        }
        val line = firstLine.poll(30, TimeUnit.SECONDS) ?: error("rapport-server did not start")
        val prefix = "rapport-server listening on "
        check(line.startsWith(prefix)) { "unexpected first line: $line" }
        url = line.removePrefix(prefix).trim()
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}

/**
 * A slow link between a device and [upstream]: while held, every request that
 * comes in is kept here, not yet sent on. A connection the device closes while
 * its request is held is dropped, and the server never sees it (that is what
 * a cancelled request on a slow network looks like). [release] sends on what
 * is held and everything after it.
 */
class SlowLink(upstream: String) : AutoCloseable {
    private val upstreamPort = upstream.substringAfterLast(':').trimEnd('/').toInt()
    private val listener = ServerSocket(0, 50, InetAddress.getLoopbackAddress())
    val url = "http://127.0.0.1:${listener.localPort}"

    @Volatile private var open = false
    private val lock = Object()

    /** Reads of request bytes from the device so far (grows when a request comes in). */
    val seen = AtomicInteger()

    /** Connections the device closed while a request on them was held. */
    val dropped = AtomicInteger()

    init {
        thread(isDaemon = true, name = "slow-link") {
            while (!listener.isClosed) {
                val client = runCatching { listener.accept() }.getOrNull() ?: break
                serve(client)
            }
        }
    }

    /** Sends on what is held, and lets every later request through. */
    fun release() {
        synchronized(lock) {
            open = true
            lock.notifyAll()
        }
    }

    /** Holds every request that comes in from now on. */
    fun hold() {
        open = false
    }

    private fun serve(client: Socket) {
        val chunks = LinkedBlockingQueue<ByteArray>()
        val end = ByteArray(0)
        thread(isDaemon = true) {
            val buffer = ByteArray(8192)
            while (true) {
                val n = runCatching { client.getInputStream().read(buffer) }.getOrDefault(-1)
                if (n < 0) break
                chunks.put(buffer.copyOf(n))
                seen.incrementAndGet()
            }
            chunks.put(end)
        }
        thread(isDaemon = true) {
            var server: Socket? = null
            while (true) {
                val chunk = chunks.take()
                if (chunk === end) break
                synchronized(lock) {
                    // Hold until released, or until the device gives up on the request.
                    while (!open && chunks.none { it === end }) lock.wait(20)
                }
                if (!open) {
                    dropped.incrementAndGet()
                    break
                }
                val upstream =
                    server ?: Socket(InetAddress.getLoopbackAddress(), upstreamPort).also { socket ->
                        server = socket
                        thread(isDaemon = true) { pipe(socket.getInputStream(), client.getOutputStream()) { client.close() } }
                    }
                runCatching { upstream.getOutputStream().apply { write(chunk) }.flush() }
            }
            runCatching { server?.close() }
            runCatching { client.close() }
        }
    }

    private fun pipe(from: InputStream, to: OutputStream, done: () -> Unit) {
        runCatching { from.copyTo(to) }
        done()
    }

    override fun close() = listener.close()
}
