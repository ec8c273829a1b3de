// The one door to the generated bindings: every call into Rust goes through
// Ffi.call, on the dispatcher the object was given, so no FFI call runs on
// the caller's (main) thread and a test can see the thread of every call.
package app.rapport

import kotlin.coroutines.EmptyCoroutineContext
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.withContext

/**
 * Watches every call into the Rust library. An app sets [check] in debug
 * builds (for example to throw when `Looper.getMainLooper().isCurrentThread`);
 * the JVM tests set it to record the threads of all calls.
 */
object FfiCalls {
    /**
     * Called on the calling thread just before each FFI call, with the call's
     * name; throwing refuses the call (the exception reaches the caller).
     */
    @Volatile
    var check: ((call: String, thread: Thread) -> Unit)? = null
}

/**
 * A generated object that can only be reached through [call] (or [callHere]
 * inside a block already running on [dispatcher]), so that no code in this
 * library can call Rust without passing the check.
 */
internal class Ffi<T : Any>(private val raw: T, val dispatcher: CoroutineDispatcher) {
    /** Runs [block] on [dispatcher]; the caller's coroutine only waits. */
    suspend fun <R> call(name: String, block: suspend T.() -> R): R = withContext(dispatcher) { callHere(name, block) }

    /**
     * [call] with another generated object as an argument (it is passed to
     * Rust, not called), so that neither object leaves its [Ffi].
     */
    suspend fun <U : Any, R> callWith(name: String, other: Ffi<U>, block: suspend T.(U) -> R): R = call(name) { block(other.raw) }

    /**
     * Runs [block] on the current thread: only for code that is already on
     * [dispatcher] (a flow's producer after `flowOn`, a cleanup on it).
     */
    suspend fun <R> callHere(name: String, block: suspend T.() -> R): R {
        FfiCalls.check?.invoke(name, Thread.currentThread())
        return raw.block()
    }

    /**
     * Hands [block] to [dispatcher] and returns at once: for [AutoCloseable.close],
     * which cannot suspend but must not free Rust objects on the caller's thread.
     */
    fun release(name: String, block: T.() -> Unit) {
        dispatcher.dispatch(EmptyCoroutineContext, Runnable { callBlocking(name, block) })
    }

    /** Blocking form of [callHere], for callbacks that cannot suspend (a flow's cleanup). */
    fun <R> callBlocking(name: String, block: T.() -> R): R {
        FfiCalls.check?.invoke(name, Thread.currentThread())
        return raw.block()
    }
}

/** A top-level FFI function (no object), through the same check. */
internal suspend fun <R> ffiFunction(name: String, dispatcher: CoroutineDispatcher, block: () -> R): R = withContext(dispatcher) {
    FfiCalls.check?.invoke(name, Thread.currentThread())
    block()
}
