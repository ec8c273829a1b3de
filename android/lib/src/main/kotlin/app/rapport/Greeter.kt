package app.rapport

import app.rapport.ffi.Greeter as FfiGreeter

/** Placeholder object proving constructors and suspend functions across the FFI. */
class Greeter(name: String) : AutoCloseable {
    private val inner = FfiGreeter(name)

    /** Suspends without blocking the calling thread while Rust works. */
    suspend fun greet(): String = inner.greet()

    /** Frees the Rust object now rather than when the garbage collector runs. */
    override fun close() = inner.close()
}
