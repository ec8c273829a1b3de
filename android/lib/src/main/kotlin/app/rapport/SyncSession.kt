package app.rapport

import app.rapport.ffi.RapportSync
import app.rapport.ffi.SyncSettings
import app.rapport.ffi.SyncStatusObserver
import java.time.LocalDate
import kotlinx.coroutines.channels.Channel.Factory.CONFLATED
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.flowOn

typealias Role = app.rapport.protocol.Role
typealias SyncStatus = app.rapport.core.SyncStatus
typealias SyncCounts = app.rapport.core.SyncCounts
typealias Device = app.rapport.protocol.Device
typealias Invite = app.rapport.protocol.Invite
typealias CareLink = app.rapport.protocol.CareLink
typealias Grant = app.rapport.protocol.Grant
typealias Access = app.rapport.protocol.Access
typealias ErrorCode = app.rapport.protocol.ErrorCode
typealias AccessLogEntry = app.rapport.protocol.AccessLogEntry
typealias PairingSeal = app.rapport.ffi.PairingSeal

/**
 * Signs this device in and keeps one [RecordStore] in step with one sync
 * server. Every call is a `suspend` function that runs on the store's
 * dispatcher, never on the caller's thread; cancelling the calling coroutine
 * cancels the Rust work (the request is dropped). Calls throw
 * [SyncException] subclasses (`Offline`, `SignedOut`, `BadCredentials`, …)
 * whose message is the sentence to show. Writes made offline stay on the
 * device and go out at the next [syncNow].
 *
 * Keep the [Session] from [signUp]/[signIn] in the platform keystore (it
 * holds the device's token) and hand it to [resume] at the next launch.
 *
 * Everything leaves the device sealed with the account key (end to end): keep
 * [accountKey] in the keystore too, beside the session and the database key,
 * and hand it back with [useAccountKey] before [resume] at every launch. A new
 * account gets its key at [signUp]; another device of the account takes it
 * from the [recoveryKit] ([useRecoveryKit]), from pairing ([sealForPairing]
 * on the old device, [acceptPairing] on the new one), or from the passphrase
 * backup ([restoreAccountKey]). Without it, sync throws
 * [SyncException.NoAccountKey][app.rapport.ffi.SyncException.NoAccountKey];
 * a mistyped kit, a wrong passphrase or a damaged pairing is
 * [SyncException.Sealing][app.rapport.ffi.SyncException.Sealing], and keys of
 * a linked account that changed are
 * [SyncException.KeyChanged][app.rapport.ffi.SyncException.KeyChanged].
 */
class SyncSession private constructor(private val ffi: Ffi<RapportSync>) : AutoCloseable {
    companion object {
        /**
         * Makes the sync client of [store] for one server (its threads start
         * here, on the store's dispatcher). Nothing is sent until a call.
         */
        suspend fun create(
            store: RecordStore,
            /** `https://…`; plain `http://` only to this device (loopback). */
            serverUrl: String,
            /** Shown in the account's device list. */
            deviceName: String,
            /** An extra trusted certificate (PEM), for a server with its own CA. */
            extraRootCertificatePem: String? = null
        ): SyncSession = store.ffi.call("RapportSync.new") {
            SyncSession(Ffi(RapportSync(this, SyncSettings(serverUrl, deviceName, extraRootCertificatePem)), store.ffi.dispatcher))
        }

        /**
         * A new random account key (32 bytes) for [replaceAccountKey]. Keep it
         * wrapped by the Keystore as the *pending* key before handing it over.
         */
        fun newAccountKey(): ByteArray = app.rapport.ffi.newAccountKey()
    }

    /** The session in use, or null when signed out. */
    suspend fun session(): Session? = ffi.call("session") { session() }?.let(::Session)

    /** The status now (idle, syncing with progress, offline, error; last synced at). */
    suspend fun currentStatus(): SyncStatus = ffi.call("status") { status() }

    /**
     * The sync status, the current one first, then every change. Only the
     * latest matters to a screen, so a slow collector sees the newest status.
     */
    val status: Flow<SyncStatus>
        get() =
            callbackFlow {
                val handle =
                    ffi.callHere("subscribeStatus") {
                        subscribeStatus(
                            object : SyncStatusObserver {
                                override fun onStatus(status: SyncStatus) {
                                    trySend(status)
                                }
                            }
                        )
                    }
                awaitClose { Ffi(handle, ffi.dispatcher).callBlocking("StatusHandle.cancel") { use { it.cancel() } } }
            }.buffer(CONFLATED)
                .flowOn(ffi.dispatcher)

    /** Creates an account and signs this device in. */
    suspend fun signUp(email: String, password: String, displayName: String, role: Role = Role.CLIENT): Session =
        Session(ffi.call("signUp") { signUp(email, password, role, displayName) })

    /** Signs this device in to an existing account. */
    suspend fun signIn(email: String, password: String): Session = Session(ffi.call("signIn") { signIn(email, password) })

    /** Uses a session kept from an earlier sign-in (no network). */
    suspend fun resume(session: Session) = ffi.call("resume") { resume(session.info) }

    // --- The account key -----------------------------------------------------

    /**
     * The account key's 32 bytes, to keep wrapped by the Keystore (never as
     * they are, never in a log); null until this device has one. Read it
     * after [signUp], [useRecoveryKit], [acceptPairing] or [restoreAccountKey].
     */
    suspend fun accountKey(): ByteArray? = ffi.call("accountKey") { accountKey() }

    /** Hands over the account key kept in the Keystore (32 bytes), before [resume]. */
    suspend fun useAccountKey(key: ByteArray) = ffi.call("useAccountKey") { useAccountKey(key) }

    /**
     * The account key as a recovery kit to write down (58 characters in groups
     * of four). Show it behind the app lock: whoever has it can read everything.
     */
    suspend fun recoveryKit(): String = ffi.call("recoveryKit") { recoveryKit() }

    /**
     * Takes the account key from a recovery kit typed here; a typo throws `Sealing`, a kit of another
     * account `WrongAccountKey` (checked with the server when signed in); either changes nothing.
     */
    suspend fun useRecoveryKit(kit: String) = ffi.call("useRecoveryKit") { useRecoveryKit(kit) }

    /**
     * On a device that has the key: seals it to a new device's [PairingOffer.offer]
     * (scanned or typed from that device's screen, never sent through the
     * server). Give the new device [PairingSeal.sealed]; both show [PairingSeal.code].
     */
    suspend fun sealForPairing(offer: String): PairingSeal = ffi.call("sealForPairing") { sealForPairing(offer.trim()) }

    /**
     * On the new device, signed in to the same account: takes the account key
     * that the other device sealed to [offer] and returns the code to compare
     * with the other device's code.
     */
    suspend fun acceptPairing(offer: PairingOffer, sealed: ByteArray): String = ffi.callWith("acceptPairing", offer.ffi) { raw -> acceptPairing(raw, sealed) }

    /**
     * The safety number of this account and a linked one (four groups of five
     * digits): client and therapist compare theirs in session.
     */
    suspend fun safetyNumber(accountId: String): String = ffi.call("safetyNumber") { safetyNumber(accountId) }

    /**
     * After a lost device was revoked ([revokeDevice]): replaces the account key
     * with [next] (from [newAccountKey]), so nothing written from now on opens
     * with the key the lost device holds, even with a copy of the server's
     * database. Keep [next] in the Keystore as the pending key before calling,
     * and as the account key once this returns; if the app stopped half-way,
     * call it again with the same [next] at the next launch, before any sync.
     * Then show the new [recoveryKit] and offer a new backup: the old kit opens
     * nothing new and the server deleted the backup. The account's other
     * devices throw `AccountKeyReplaced` until paired again or given the new
     * kit; what they wrote meanwhile is kept. The safety number changes.
     */
    suspend fun replaceAccountKey(next: ByteArray) = ffi.call("replaceAccountKey") { replaceAccountKey(next) }

    /** Keeps the account key on the server sealed under [passphrase] (the server cannot open it). */
    suspend fun backUpAccountKey(passphrase: String) = ffi.call("backUpAccountKey") { backUpAccountKey(passphrase) }

    /** Takes the account key from the server's passphrase backup; a wrong passphrase throws `Sealing`. */
    suspend fun restoreAccountKey(passphrase: String) = ffi.call("restoreAccountKey") { restoreAccountKey(passphrase) }

    /** Signs this device out on the server and forgets the session. */
    suspend fun signOut() = ffi.call("signOut") { signOut() }

    /** Pushes this device's changes and pulls the others' until both sides are in step. */
    suspend fun syncNow(): SyncCounts = ffi.call("syncNow") { syncNow() }

    /** Brings the server's grants in line with the items marked shared on this device. */
    suspend fun refreshSharing() = ffi.call("refreshSharing") { refreshSharing() }

    /** Shares every item of [kind] (now and later) with a linked therapist; with [personId], only items about that person. */
    suspend fun shareKind(therapistAccountId: String, kind: ItemKind, personId: String? = null): Grant = ffi.call("shareKind") { shareKind(therapistAccountId, kind, personId) }

    suspend fun grants(): List<Grant> = ffi.call("grants") { grants() }

    suspend fun revokeGrant(grantId: String) = ffi.call("revokeGrant") { revokeGrant(grantId) }

    /**
     * The client's preview of what the therapist will see: the session summary
     * of only the items shared one by one or through a kind grant.
     */
    suspend fun therapistViewSummary(since: LocalDate? = null, until: LocalDate? = null, today: LocalDate = LocalDate.now()): SessionSummary =
        ffi.call("therapistViewSummary") { therapistViewSummary(since, until, today) }

    /** Every read of shared data by a therapist, for the client to see. */
    suspend fun accessLog(): List<AccessLogEntry> = ffi.call("accessLog") { accessLog() }

    /** A client's short-lived, single-use code for a therapist to redeem. */
    suspend fun createInvite(): Invite = ffi.call("createInvite") { createInvite() }

    /** A therapist redeems a client's invite. */
    suspend fun redeemInvite(code: String): CareLink = ffi.call("redeemInvite") { redeemInvite(code) }

    suspend fun links(): List<CareLink> = ffi.call("links") { links() }

    suspend fun endLink(linkId: String) = ffi.call("endLink") { endLink(linkId) }

    suspend fun devices(): List<Device> = ffi.call("devices") { devices() }

    suspend fun revokeDevice(deviceId: String) = ffi.call("revokeDevice") { revokeDevice(deviceId) }

    /** A therapist's feedback note for a linked client; it goes out at the next sync. */
    suspend fun writeNote(note: Note): StoredNote = ffi.call("writeNote") { writeNote(note) }

    /** Deletes everything of this account, here, on the server and on every other device. */
    suspend fun deleteEverything(): Long = ffi.call("deleteEverything") { deleteEverything() }.toLong()

    /** Stops the sync client's threads soon (handed to the store's dispatcher). */
    override fun close() = ffi.release("RapportSync.close") { close() }
}
