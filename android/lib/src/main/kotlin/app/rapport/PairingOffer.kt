package app.rapport

import app.rapport.ffi.PairingOffer as RawPairingOffer
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers

/**
 * A new device's side of pairing: a one-time key. Show [offer] as text or a
 * QR code to a device that already has the account key; it answers with
 * [SyncSession.sealForPairing], and this device takes the key with
 * [SyncSession.acceptPairing]. Both devices then show the same 6-digit code.
 * The offer is a public key (safe to print); the secret half stays in Rust
 * and is wiped when this is closed.
 */
class PairingOffer private constructor(internal val ffi: Ffi<RawPairingOffer>, val offer: String) : AutoCloseable {
    override fun toString(): String = "PairingOffer(offer=$offer)"

    /** Wipes the one-time key (handed to the dispatcher). */
    override fun close() = ffi.release("PairingOffer.close") { close() }

    companion object {
        /** A new one-time key, made off the calling thread. */
        suspend fun create(dispatcher: CoroutineDispatcher = Dispatchers.IO): PairingOffer = ffiFunction("PairingOffer.new", dispatcher) {
            val raw = RawPairingOffer()
            PairingOffer(Ffi(raw, dispatcher), raw.offer())
        }
    }
}
