// Devices of one client sync through a real rapport-server process on a free
// loopback port: write on one, sync both, read on the other; a cancelled
// sign-in or sync stops in Rust and leaves nothing on the server. Every test
// body runs on a "main" thread that no FFI call may use.
package app.rapport

import app.rapport.core.SyncState
import app.rapport.ffi.SyncException
import java.io.File
import java.time.Instant
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

// Until the Rust side aborts a task whose uniffi future is dropped (the lead's
// "Bindings: cancel"), a cancelled call keeps running in Rust and these two
// tests fail (they time out waiting for the connection to close).

@OptIn(ExperimentalUnsignedTypes::class)
class SyncSessionTest {
    @TempDir
    lateinit var dir: File
    private lateinit var server: RapportServer

    @BeforeEach
    fun startServer() {
        server = RapportServer(dir)
    }

    @AfterEach
    fun stopServer() = server.close()

    private val url get() = server.url

    @Test
    fun `a win written on one device is read on the other after both sync`() = onMainThread { log ->
        RecordStore.open(File(dir, "phone.db")).use { phone ->
            RecordStore.open(File(dir, "tablet.db")).use { tablet ->
                SyncSession.create(phone, url, "phone").use { a ->
                    SyncSession.create(tablet, url, "tablet").use { b ->
                        withTimeout(60_000) {
                            val signedUp = a.signUp("ada@example.org", "correct horse battery", "Ada")
                            assertEquals(Role.CLIENT, signedUp.role)
                            val signedIn = b.signIn("ada@example.org", "correct horse battery")
                            assertEquals(signedUp.accountId, signedIn.accountId)
                            assertEquals(signedIn, b.session())
                            // Signed in but without the account key: nothing can be sealed or opened.
                            assertThrowsSuspend<SyncException.NoAccountKey> { b.syncNow() }
                            b.useRecoveryKit(a.recoveryKit())

                            val win = phone.add(Win(occurredAt = Instant.parse("2025-07-14T18:30:00Z"), title = "Asked Sam calmly"))
                            assertTrue(a.syncNow().pushed >= 1u)
                            assertTrue(b.syncNow().pulled >= 1u)

                            assertEquals(win.win, tablet.win(win.meta.id).win)
                            assertEquals(listOf("Asked Sam calmly"), tablet.search("calmly").map { it.title })
                            val status = b.status.first()
                            assertNotNull(status.lastSyncedAt)
                            assertEquals(SyncState.Idle, status.state)
                            // The client's preview reads the store too: off the main thread like the rest.
                            b.therapistViewSummary()
                        }
                    }
                }
            }
        }
        val seen = log.calls.map { it.first }.toSet()
        assertTrue(seen.containsAll(setOf("RapportSync.new", "signUp", "signIn", "syncNow", "subscribeStatus", "therapistViewSummary")), "$seen")
    }

    @Test
    fun `a wrong password is a typed exception with the Rust message`() = onMainThread {
        RecordStore.open(File(dir, "phone.db")).use { store ->
            SyncSession.create(store, url, "phone").use { sync ->
                sync.signUp("kim@example.org", "a long enough password", "Kim")
                RecordStore.open(File(dir, "other.db")).use { other ->
                    SyncSession.create(other, url, "other").use { second ->
                        val error = assertThrowsSuspend<SyncException.BadCredentials> { second.signIn("kim@example.org", "wrong password!") }
                        assertEquals("wrong email or password", error.toString())
                    }
                }
            }
        }
    }

    @Test
    fun `a refusal carries the protocol's code as a typed value`() = onMainThread {
        RecordStore.open(File(dir, "client.db")).use { store ->
            SyncSession.create(store, url, "phone").use { client ->
                client.signUp("ana@example.org", "a long enough password", "Ana")
                val invite = client.createInvite()
                // Only a therapist redeems an invite.
                val refused = assertThrowsSuspend<SyncException.Refused> { client.redeemInvite(invite.code) }
                assertEquals(ErrorCode.FORBIDDEN, refused.code)
                assertTrue(refused.reason.contains("therapist"), refused.reason)
            }
        }
    }

    @Test
    fun `a kept session resumes on the next launch and never prints its token`() = onMainThread {
        lateinit var keptKey: ByteArray
        val kept =
            RecordStore.open(File(dir, "phone.db")).use { store ->
                SyncSession.create(store, url, "phone").use { sync ->
                    val session = sync.signUp("lee@example.org", "a long enough password", "Lee")
                    // Kept in the Keystore beside the session, as the app does.
                    keptKey = requireNotNull(sync.accountKey()) { "a new account has an account key" }
                    assertEquals(32, keptKey.size)
                    val token = session.info.token
                    assertTrue(token.length >= 16, "a real token")
                    assertTrue(token !in session.toString(), session.toString())
                    assertTrue(session.toString().contains("token=<redacted>"), session.toString())
                    assertTrue(token !in "$session", "string templates use toString too")
                    // The generated record would print it: that is why it stays inside the library.
                    assertTrue(token in session.info.toString())
                    session.toBytes()
                }
            }
        // The next launch: a new client of the same record, with the session from the Keystore.
        RecordStore.open(File(dir, "phone.db")).use { store ->
            SyncSession.create(store, url, "phone").use { sync ->
                val session = Session.fromBytes(kept)
                sync.useAccountKey(keptKey)
                sync.resume(session)
                assertEquals(session, sync.session())
                store.add(Win(occurredAt = Instant.now(), title = "Kept going"))
                assertTrue(sync.syncNow().pushed >= 1u, "the resumed session is accepted by the server")
                assertEquals(1, sync.devices().size)
            }
        }
        assertThrowsSuspend<IllegalArgumentException> { Session.fromBytes(kept.copyOf(kept.size - 3)) }
    }

    @Test
    fun `a cancelled sign-in stops in Rust and creates no device`() = onMainThread {
        SlowLink(url).use { link ->
            RecordStore.open(File(dir, "phone.db")).use { phone ->
                RecordStore.open(File(dir, "tablet.db")).use { tablet ->
                    SyncSession.create(phone, url, "phone").use { a ->
                        SyncSession.create(tablet, link.url, "tablet").use { b ->
                            a.signUp("max@example.org", "a long enough password", "Max")
                            val signIn = launch(start = CoroutineStart.UNDISPATCHED) { b.signIn("max@example.org", "a long enough password") }
                            withTimeout(10_000) { while (link.seen.get() == 0) delay(10) }
                            withTimeout(5_000) { signIn.cancelAndJoin() }
                            // Rust dropped the request: the link sees the connection close while it holds it.
                            withTimeout(5_000) { while (link.dropped.get() == 0) delay(10) }
                            link.release()
                            delay(500)
                            // Only the signing-up device (the server names it itself: issue 8).
                            assertEquals(1, a.devices().size, "the cancelled sign-in made a device")
                            assertEquals(null, b.session())

                            // The same sign-in, not cancelled, does create the device (so the count above could fail).
                            b.signIn("max@example.org", "a long enough password")
                            val names = a.devices().map { it.name }
                            assertEquals(2, names.size)
                            assertTrue("tablet" in names, names.toString())
                        }
                    }
                }
            }
        }
    }

    @Test
    fun `a cancelled sync stops in Rust and pushes nothing`() = onMainThread {
        SlowLink(url).use { link ->
            RecordStore.open(File(dir, "phone.db")).use { phone ->
                RecordStore.open(File(dir, "tablet.db")).use { tablet ->
                    SyncSession.create(phone, link.url, "phone").use { a ->
                        SyncSession.create(tablet, url, "tablet").use { b ->
                            link.release()
                            a.signUp("noa@example.org", "a long enough password", "Noa")
                            b.signIn("noa@example.org", "a long enough password")
                            b.useRecoveryKit(a.recoveryKit())
                            link.hold()
                            val win = phone.add(Win(occurredAt = Instant.now(), title = "Said what I needed"))
                            val seenBefore = link.seen.get()
                            val sync = launch(start = CoroutineStart.UNDISPATCHED) { a.syncNow() }
                            withTimeout(10_000) { while (link.seen.get() == seenBefore) delay(10) }
                            withTimeout(5_000) { sync.cancelAndJoin() }
                            withTimeout(5_000) { while (link.dropped.get() == 0) delay(10) }
                            link.release()
                            delay(500)
                            b.syncNow()
                            assertEquals(null, tablet.summary(win.meta.id), "the cancelled push reached the server")

                            // Kept in the outbox: the next sync sends it.
                            a.syncNow()
                            b.syncNow()
                            assertEquals("Said what I needed", tablet.win(win.meta.id).win.title)
                        }
                    }
                }
            }
        }
    }

    @Test
    fun `pairing shows the same code on both devices and the paired one reads the other's items`() = onMainThread { log ->
        RecordStore.open(File(dir, "phone.db")).use { phone ->
            RecordStore.open(File(dir, "tablet.db")).use { tablet ->
                SyncSession.create(phone, url, "phone").use { a ->
                    SyncSession.create(tablet, url, "tablet").use { b ->
                        a.signUp("pia@example.org", "a long enough password", "Pia")
                        val win = phone.add(Win(occurredAt = Instant.parse("2025-07-14T18:30:00Z"), title = "Called my sister"))
                        a.syncNow()
                        b.signIn("pia@example.org", "a long enough password")
                        assertEquals(null, b.accountKey())
                        PairingOffer.create().use { offer ->
                            // The offer goes from the new device's screen to the old one.
                            val seal = a.sealForPairing(offer.offer)
                            val code = b.acceptPairing(offer, seal.sealed)
                            assertEquals(seal.code, code)
                            assertTrue(code.matches(Regex("[0-9]{6}")), code)
                        }
                        assertTrue(a.accountKey().contentEquals(b.accountKey()))
                        assertTrue(b.syncNow().pulled >= 1u)
                        assertEquals("Called my sister", tablet.win(win.meta.id).win.title)
                    }
                }
            }
        }
        val seen = log.calls.map { it.first }.toSet()
        assertTrue(seen.containsAll(setOf("PairingOffer.new", "sealForPairing", "acceptPairing")), "$seen")
    }

    @Test
    fun `a mistyped kit, a short key and a missing key are typed exceptions`() = onMainThread {
        RecordStore.open(File(dir, "phone.db")).use { store ->
            SyncSession.create(store, url, "phone").use { sync ->
                assertThrowsSuspend<SyncException.NoAccountKey> { sync.recoveryKit() }
                sync.signUp("mo@example.org", "a long enough password", "Mo")
                val kit = sync.recoveryKit()
                val typo = (if (kit[0] == 'A') "B" else "A") + kit.substring(1)
                val error = assertThrowsSuspend<SyncException.Sealing> { sync.useRecoveryKit(typo) }
                assertTrue(error.reason.isNotBlank())
                assertEquals(kit, sync.recoveryKit(), "a mistyped kit changes nothing")
                val short = assertThrowsSuspend<SyncException.Sealing> { sync.useAccountKey(ByteArray(31)) }
                assertTrue(short.reason.startsWith("account_key:"), short.reason)
                assertEquals(kit, sync.recoveryKit())
                sync.syncNow() // publishes this account's keys
                // Another account's kit, typed here, is refused at once.
                RecordStore.open(File(dir, "other.db")).use { other ->
                    SyncSession.create(other, url, "other").use { stranger ->
                        stranger.signUp("nia@example.org", "a long enough password", "Nia")
                        stranger.syncNow()
                        assertThrowsSuspend<SyncException.WrongAccountKey> { sync.useRecoveryKit(stranger.recoveryKit()) }
                        assertEquals(kit, sync.recoveryKit(), "another account's kit changes nothing")
                    }
                }
            }
        }
    }

    @Test
    fun `a lost device is cut off by a new account key and the others follow with the new kit`() = onMainThread {
        RecordStore.open(File(dir, "phone.db")).use { phoneStore ->
            RecordStore.open(File(dir, "tablet.db")).use { tabletStore ->
                RecordStore.open(File(dir, "laptop.db")).use { laptopStore ->
                    SyncSession.create(phoneStore, url, "phone").use { phone ->
                        SyncSession.create(tabletStore, url, "tablet").use { tablet ->
                            SyncSession.create(laptopStore, url, "laptop").use { laptop ->
                                phone.signUp("rue@example.org", "a long enough password", "Rue")
                                val oldKit = phone.recoveryKit()
                                phone.syncNow()
                                for (other in listOf(tablet, laptop)) {
                                    other.signIn("rue@example.org", "a long enough password")
                                    other.useRecoveryKit(oldKit)
                                    other.syncNow()
                                }
                                phone.revokeDevice(tablet.session()!!.deviceId)
                                val next = SyncSession.newAccountKey()
                                phone.replaceAccountKey(next)
                                assertTrue(next.contentEquals(phone.accountKey()))
                                val win = phoneStore.add(Win(occurredAt = Instant.parse("2026-05-06T08:00:00Z"), title = "After the loss"))
                                phone.syncNow()
                                // The laptop kept the old key: typed errors, then the new kit.
                                assertThrowsSuspend<SyncException.AccountKeyReplaced> { laptop.syncNow() }
                                assertThrowsSuspend<SyncException.ReplacedRecoveryKit> { laptop.useRecoveryKit(oldKit) }
                                val newKit = phone.recoveryKit()
                                assertNotEquals(oldKit, newKit)
                                laptop.useRecoveryKit(newKit)
                                laptop.syncNow()
                                assertEquals("After the loss", laptopStore.win(win.meta.id).win.title)
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    fun `a client and the therapist it linked see the same safety number`() = onMainThread {
        RecordStore.open(File(dir, "client.db")).use { clientStore ->
            RecordStore.open(File(dir, "therapist.db")).use { therapistStore ->
                SyncSession.create(clientStore, url, "client").use { client ->
                    SyncSession.create(therapistStore, url, "therapist").use { therapist ->
                        val c = client.signUp("cy@example.org", "a long enough password", "Cy")
                        val t = therapist.signUp("dr.t@example.org", "a long enough password", "Dr T", role = Role.THERAPIST)
                        therapist.redeemInvite(client.createInvite().code)
                        val ours = client.safetyNumber(t.accountId)
                        assertEquals(ours, therapist.safetyNumber(c.accountId))
                        assertTrue(ours.matches(Regex("[0-9]{5}( [0-9]{5}){3}")), ours)
                    }
                }
            }
        }
    }

    @Test
    fun `the account key is in no printed form of anything`() = onMainThread {
        RecordStore.open(File(dir, "phone.db")).use { phone ->
            RecordStore.open(File(dir, "tablet.db")).use { tablet ->
                SyncSession.create(phone, url, "phone").use { a ->
                    SyncSession.create(tablet, url, "tablet").use { b ->
                        val session = a.signUp("rae@example.org", "a long enough password", "Rae")
                        val key = requireNotNull(a.accountKey()) { "a new account has an account key" }
                        b.signIn("rae@example.org", "a long enough password")
                        PairingOffer.create().use { offer ->
                            val seal = a.sealForPairing(offer.offer)
                            b.acceptPairing(offer, seal.sealed)
                            val printed = listOf(a, b, session, b.session(), offer, seal, a.currentStatus(), a.devices()).joinToString(" ") { "$it" }
                            val forms =
                                listOf(
                                    key.joinToString("") { "%02x".format(it) },
                                    key.joinToString("") { "%02X".format(it) },
                                    java.util.Base64.getEncoder().encodeToString(key),
                                    key.contentToString(),
                                    key.toUByteArray().toList().toString()
                                )
                            forms.forEach { assertTrue(it !in printed, "the key is printed as $it in $printed") }
                        }
                    }
                }
            }
        }
    }
}
