// The record types app code uses, under the idiomatic package: the generated
// types (package app.rapport.ffi) are plain data classes and enums already,
// so they are re-exported as they are rather than copied.
//
// Sealed types cannot be re-exported this way (a typealias does not reach
// their nested cases), so app code imports these four from app.rapport.ffi:
// StoreException (Invalid, NotFound, Malformed, UnusableFile, Storage),
// SyncException (Offline, SignedOut, BadCredentials, Refused, InvalidAddress,
// Server, Store), SyncState (Idle, Syncing, Offline, Error) and NoteSubject
// (Item, Week). Exceptions carry the Rust message, the sentence to show.
package app.rapport

import java.time.Instant

typealias ItemKind = app.rapport.ffi.ItemKind
typealias ItemMeta = app.rapport.ffi.ItemMeta
typealias ItemChange = app.rapport.ffi.ItemChange
typealias Summary = app.rapport.ffi.Summary
typealias ListQuery = app.rapport.ffi.ListQuery

typealias Interaction = app.rapport.ffi.Interaction
typealias Feeling = app.rapport.ffi.Feeling
typealias GoalLink = app.rapport.ffi.GoalLink
typealias Channel = app.rapport.ffi.Channel
typealias Initiator = app.rapport.ffi.Initiator
typealias GotWhatIWanted = app.rapport.ffi.GotWhatIWanted
typealias RelationshipChange = app.rapport.ffi.RelationshipChange
typealias Win = app.rapport.ffi.Win
typealias Reflection = app.rapport.ffi.Reflection

typealias Goal = app.rapport.ffi.Goal
typealias GoalStatus = app.rapport.ffi.GoalStatus
typealias Milestone = app.rapport.ffi.Milestone
typealias CourseEvent = app.rapport.ffi.CourseEvent
typealias CourseEventKind = app.rapport.ffi.CourseEventKind

typealias Person = app.rapport.ffi.Person
typealias Ring = app.rapport.ffi.Ring
typealias DisputeStage = app.rapport.ffi.DisputeStage
typealias StageChange = app.rapport.ffi.StageChange

typealias Profile = app.rapport.ffi.Profile
typealias ProblemArea = app.rapport.ffi.ProblemArea
typealias Phase = app.rapport.ffi.Phase

typealias MoodCheckIn = app.rapport.ffi.MoodCheckIn
typealias Phq9CheckIn = app.rapport.ffi.Phq9CheckIn
typealias Phq9Severity = app.rapport.ffi.Phq9Severity
typealias MoodCheckInSaved = app.rapport.ffi.MoodCheckInSaved
typealias Phq9CheckInSaved = app.rapport.ffi.Phq9CheckInSaved
typealias SafetyAlert = app.rapport.ffi.SafetyAlert
typealias AlertReason = app.rapport.ffi.AlertReason
typealias CrisisResource = app.rapport.ffi.CrisisResource
typealias CrisisContact = app.rapport.ffi.CrisisContact

typealias Rehearsal = app.rapport.ffi.Rehearsal
typealias Note = app.rapport.ffi.Note

typealias StoredInteraction = app.rapport.ffi.StoredInteraction
typealias StoredWin = app.rapport.ffi.StoredWin
typealias StoredReflection = app.rapport.ffi.StoredReflection
typealias StoredGoal = app.rapport.ffi.StoredGoal
typealias StoredPerson = app.rapport.ffi.StoredPerson
typealias StoredProfile = app.rapport.ffi.StoredProfile
typealias StoredMoodCheckIn = app.rapport.ffi.StoredMoodCheckIn
typealias StoredPhq9CheckIn = app.rapport.ffi.StoredPhq9CheckIn
typealias StoredRehearsal = app.rapport.ffi.StoredRehearsal
typealias StoredNote = app.rapport.ffi.StoredNote

// The clinical layer's views (see RecordStore's clinical section).
typealias SessionSummary = app.rapport.ffi.SessionSummary
typealias TimelineEntry = app.rapport.ffi.TimelineEntry
typealias TimelineFilter = app.rapport.ffi.TimelineFilter
typealias TerminationReview = app.rapport.ffi.TerminationReview
typealias AfterCarePlan = app.rapport.ffi.AfterCarePlan
typealias ImportReport = app.rapport.ffi.ImportReport

// Convenience constructors: the FFI carries 0-10 scales as unsigned bytes;
// these take plain Ints and refuse what cannot be a byte before it crosses.

private fun byte(field: String, value: Int): UByte {
    require(value in 0..255) { "$field: must be between 0 and 255, got $value" }
    return value.toUByte()
}

/** A mood rating from 0 (worst) to 10 (best), with the event behind it. */
fun moodCheckIn(rating: Int, event: String = "", crisis: Boolean = false, at: Instant = Instant.now()): MoodCheckIn =
    MoodCheckIn(at = at, rating = byte("rating", rating), event = event, crisis = crisis)

/**
 * The nine PHQ-9 answers, each 0 (not at all) to 3 (nearly every day); the
 * range is checked in Rust (`StoreException.Invalid`).
 */
fun phq9CheckIn(items: List<Int>, at: Instant = Instant.now()): Phq9CheckIn = Phq9CheckIn(at = at, items = items)

/** The PHQ-9 answers as numbers 0 to 3. */
val Phq9CheckIn.answers: List<Int>
    get() = items

/** A feeling and its intensity from 0 to 10. */
fun feeling(label: String, intensity: Int): Feeling = Feeling(label = label, intensity = byte("intensity", intensity))

/** Milestones done so far, of all of them. */
val Goal.milestonesDone: Int
    get() = milestones.count { it.completedAt != null }
