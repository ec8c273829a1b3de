// Each exported shape works across the FFI on the JVM: functions, the typed
// exception, a constructor, a suspend call, a listener seen as a Flow, and
// ending a subscription by closing its handle.
package app.rapport

import app.rapport.ffi.ChangeListener
import app.rapport.ffi.RapportException
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.concurrent.thread
import app.rapport.ffi.ChangeFeed as FfiChangeFeed

class PipelineProbeTest {
    @Test
    fun `the loaded library reports the crate version`() {
        val version = Rapport.coreVersion
        assertTrue(Regex("""\d+\.\d+\.\d+.*""").matches(version), version)
        System.getProperty("rapport.expectedVersion")?.takeIf { it.isNotEmpty() }?.let { assertEquals(it, version) }
    }

    @Test
    fun `a mood from 0 to 10 is accepted`() {
        assertEquals(0, Rapport.checkMood(0))
        assertEquals(10, Rapport.checkMood(10))
    }

    @Test
    fun `a mood above 10 throws a typed exception carrying the rating`() {
        val error = assertThrows<RapportException.InvalidMood> { Rapport.checkMood(11) }
        assertEquals(11u.toUByte(), error.rating)
        assertThrows<IllegalArgumentException> { Rapport.checkMood(-1) }
    }

    @Test
    fun `greet suspends and answers from a coroutine`() =
        runBlocking {
            Greeter("Ada").use { assertEquals("Hello, Ada!", it.greet()) }
        }

    @Test
    fun `many greetings run concurrently`() =
        runBlocking {
            val names = (1..50).map { "client $it" }
            val greetings =
                names
                    .map { name -> async { Greeter(name).use { it.greet() } } }
                    .awaitAll()
            assertEquals(names.map { "Hello, $it!" }, greetings)
        }

    @Test
    fun `the flow sends the current ids first, then each batch, and unsubscribes on cancel`() =
        runBlocking {
            ChangeFeed().use { feed ->
                feed.publish(listOf("a"))
                val received = Channel<List<String>>(Channel.UNLIMITED)
                val collector = launch { feed.changes().collect { received.send(it) } }
                withTimeout(5_000) {
                    assertEquals(listOf("a"), received.receive())
                    assertEquals(1, feed.subscriberCount)
                    feed.publish(listOf("b", "c"))
                    assertEquals(listOf("b", "c"), received.receive())
                    // From another thread, as the sync engine will.
                    thread { feed.publish(listOf("d")) }.join()
                    assertEquals(listOf("d"), received.receive())
                }
                collector.cancelAndJoin()
                assertEquals(0, feed.subscriberCount)
            }
        }

    @Test
    fun `closing the subscription handle ends the subscription`() {
        FfiChangeFeed().use { feed ->
            val seen = CopyOnWriteArrayList<List<String>>()
            val listener =
                object : ChangeListener {
                    override fun onChange(ids: List<String>) {
                        seen.add(ids)
                    }
                }
            val subscription = feed.subscribe(listener)
            feed.publish(listOf("x"))
            assertEquals(1u, feed.subscriberCount())
            subscription.close()
            assertEquals(0u, feed.subscriberCount())
            feed.publish(listOf("y"))
            assertEquals(listOf(emptyList<String>(), listOf("x")), seen.toList())

            // cancel() ends it too, and is idempotent.
            feed.subscribe(listener).use { handle ->
                handle.cancel()
                handle.cancel()
                assertEquals(0u, feed.subscriberCount())
            }
        }
    }
}
