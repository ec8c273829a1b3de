// The idiomatic Kotlin layer over the generated bindings (package app.rapport.ffi).
// App code uses this package; the generated one stays an implementation detail.
// Plain Kotlin/JVM: compiled by the Android library and by android/jvm (Maven).
package app.rapport

import app.rapport.ffi.RapportException
import app.rapport.ffi.checkMood as ffiCheckMood
import app.rapport.ffi.coreVersion as ffiCoreVersion

/** Facts about the Rust library this app runs on. */
object Rapport {
    /** Version of the loaded Rust library (its Cargo package version). */
    val coreVersion: String
        get() = ffiCoreVersion()

    /**
     * Accepts a mood rating from 0 to 10 and returns it.
     *
     * @throws RapportException.InvalidMood when the rating is above 10.
     * @throws IllegalArgumentException when the rating is not 0..255.
     */
    fun checkMood(rating: Int): Int {
        require(rating in 0..255) { "a mood rating goes from 0 to 10, not $rating" }
        return ffiCheckMood(rating.toUByte()).toInt()
    }
}
