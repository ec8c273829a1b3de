// The record types app code uses, under the idiomatic package. The generated
// types are the Rust core's and the protocol's own (ADR 0010): records,
// views and queries in app.rapport.core, wire types and ids in
// app.rapport.protocol, stored forms and errors in app.rapport.ffi. They are
// plain data classes and enums already, so they are re-exported as they are.
//
// Ids are Strings (typealiases: ItemId, AccountId, ...), instants
// java.time.Instant, calendar days java.time.LocalDate, ratings and counts
// Int (a value out of range is StoreException.Invalid with the field's name).
//
// Sealed types cannot be re-exported this way (a typealias does not reach
// their nested cases), so app code imports these from their packages:
// app.rapport.ffi.StoreException (Invalid, NotFound, ReadOnly, Malformed,
// NotOurDatabase, NewerSchema, Storage), app.rapport.ffi.SyncException
// (Offline, SignedOut, BadCredentials, Refused, InvalidAddress, Server,
// Store, NoAccountKey, KeyChanged, Sealing), and from app.rapport.core
// SyncState, NoteSubject, CrisisContact, Whose and the views' sealed types.
// An exception's toString() is the sentence to show; its fields say what
// was wrong.
package app.rapport

import java.time.Instant

typealias ItemId = app.rapport.protocol.ItemId
typealias AccountId = app.rapport.protocol.AccountId
typealias ItemKind = app.rapport.protocol.DocKind
typealias ItemMeta = app.rapport.core.ItemMeta
typealias ItemChange = app.rapport.core.ItemChange
typealias ChangeOp = app.rapport.core.ChangeOp
typealias Summary = app.rapport.core.Summary
typealias ListQuery = app.rapport.core.ListQuery
typealias Page = app.rapport.core.Page

typealias Interaction = app.rapport.core.Interaction
typealias Feeling = app.rapport.core.Feeling
typealias GoalLink = app.rapport.core.GoalLink
typealias Channel = app.rapport.core.Channel
typealias Initiator = app.rapport.core.Initiator
typealias GotWhatIWanted = app.rapport.core.GotWhatIWanted
typealias RelationshipChange = app.rapport.core.RelationshipChange
typealias Win = app.rapport.core.Win
typealias Reflection = app.rapport.core.Reflection

typealias Goal = app.rapport.core.Goal
typealias GoalStatus = app.rapport.core.GoalStatus
typealias Milestone = app.rapport.core.Milestone
typealias CourseEvent = app.rapport.core.CourseEvent
typealias CourseEventKind = app.rapport.core.CourseEventKind

typealias Person = app.rapport.core.Person
typealias Ring = app.rapport.core.Ring
typealias DisputeStage = app.rapport.core.DisputeStage
typealias StageChange = app.rapport.core.StageChange

typealias Profile = app.rapport.core.Profile
typealias ProblemArea = app.rapport.core.ProblemArea
typealias Phase = app.rapport.core.Phase

typealias MoodCheckIn = app.rapport.core.MoodCheckIn
typealias Phq9CheckIn = app.rapport.core.Phq9CheckIn
typealias Phq9Severity = app.rapport.core.Phq9Severity
typealias MoodCheckInSaved = app.rapport.ffi.MoodCheckInSaved
typealias Phq9CheckInSaved = app.rapport.ffi.Phq9CheckInSaved
typealias SafetyAlert = app.rapport.core.SafetyAlert
typealias AlertReason = app.rapport.core.AlertReason
typealias CrisisResource = app.rapport.core.CrisisResource

typealias Rehearsal = app.rapport.core.Rehearsal
typealias Note = app.rapport.core.Note

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
typealias SessionSummary = app.rapport.core.SessionSummary
typealias TimelineEntry = app.rapport.core.TimelineEntry
typealias TimelineFilter = app.rapport.core.TimelineFilter
typealias TerminationReview = app.rapport.core.TerminationReview
typealias AfterCarePlan = app.rapport.core.AfterCarePlan
typealias ImportReport = app.rapport.core.ImportReport
typealias DateRange = app.rapport.core.DateRange

/** A mood rating from 0 (worst) to 10 (best), with the event behind it. */
fun moodCheckIn(rating: Int, event: String = "", crisis: Boolean = false, at: Instant = Instant.now()): MoodCheckIn =
    MoodCheckIn(at = at, rating = rating, event = event, crisis = crisis)

/**
 * The nine PHQ-9 answers, each 0 (not at all) to 3 (nearly every day); the
 * range is checked in Rust (`StoreException.Invalid`).
 */
fun phq9CheckIn(items: List<Int>, at: Instant = Instant.now()): Phq9CheckIn = Phq9CheckIn(at = at, items = items)

/** A feeling and its intensity from 0 to 10 (checked in Rust). */
fun feeling(label: String, intensity: Int): Feeling = Feeling(label = label, intensity = intensity)

/** A goal's milestones in display order (by position), with their ids. */
val Goal.orderedMilestones: List<Pair<String, Milestone>>
    get() = milestones.entries.sortedWith(compareBy({ it.value.position }, { it.key })).map { it.key to it.value }

/** Milestones done so far, of all of them. */
val Goal.milestonesDone: Int
    get() = milestones.values.count { it.completedAt != null }

/**
 * The sentence to show a person for an error: a Rust error's own (its
 * `toString()`; its fields say what was wrong), else the message.
 */
val Throwable.sentence: String
    get() =
        when (this) {
            is app.rapport.ffi.StoreException, is app.rapport.ffi.SyncException -> toString()
            else -> message ?: toString()
        }
