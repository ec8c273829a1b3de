// The value types RapportKit works with, re-exported from the generated bindings
// so that apps import RapportKit only. They are the Rust core's and the
// protocol's own types (generated from them, not copied), as Swift structs
// and enums (Equatable, Hashable, Sendable): plain values, safe to pass
// between tasks. The generated objects (RapportStore, RapportSync, observer
// handles) are not re-exported: RecordStore and SyncSession wrap them.
import RapportBindings
import RapportDay

// Ids are strings, one name per concept; instants are `Date`s; the client's
// calendar days are `CalendarDay`s (no time, no zone).
public typealias ItemId = RapportBindings.ItemId
public typealias AccountId = RapportBindings.AccountId
public typealias DeviceId = RapportBindings.DeviceId
public typealias GrantId = RapportBindings.GrantId
public typealias LinkId = RapportBindings.LinkId
public typealias Tag = RapportBindings.Tag
public typealias Timestamp = RapportBindings.Timestamp
public typealias CalendarDay = RapportDay.CalendarDay

// Errors (thrown by RecordStore and SyncSession; see Errors.swift).
public typealias StoreError = RapportBindings.StoreError
public typealias SyncError = RapportBindings.SyncError
public typealias ErrorCode = RapportBindings.ErrorCode
public typealias PairingSeal = RapportBindings.PairingSeal

// What every item has, listing and searching, observing.
public typealias DocKind = RapportBindings.DocKind
public typealias ItemMeta = RapportBindings.ItemMeta
public typealias ItemChange = RapportBindings.ItemChange
public typealias ChangeOp = RapportBindings.ChangeOp
public typealias Summary = RapportBindings.Summary
public typealias ListQuery = RapportBindings.ListQuery
public typealias Page = RapportBindings.Page

// The record kinds, in IPT's words, and the items as stored.
public typealias Interaction = RapportBindings.Interaction
public typealias Win = RapportBindings.Win
public typealias Reflection = RapportBindings.Reflection
public typealias Feeling = RapportBindings.Feeling
public typealias GoalLink = RapportBindings.GoalLink
public typealias Channel = RapportBindings.Channel
public typealias Initiator = RapportBindings.Initiator
public typealias GotWhatIWanted = RapportBindings.GotWhatIWanted
public typealias RelationshipChange = RapportBindings.RelationshipChange
public typealias Goal = RapportBindings.Goal
public typealias Milestone = RapportBindings.Milestone
public typealias Milestones = RapportBindings.Milestones
public typealias CourseEvent = RapportBindings.CourseEvent
public typealias CourseEventKind = RapportBindings.CourseEventKind
public typealias GoalStatus = RapportBindings.GoalStatus
public typealias Person = RapportBindings.Person
public typealias StageChange = RapportBindings.StageChange
public typealias Ring = RapportBindings.Ring
public typealias DisputeStage = RapportBindings.DisputeStage
public typealias Profile = RapportBindings.Profile
public typealias ProblemArea = RapportBindings.ProblemArea
public typealias Phase = RapportBindings.Phase
public typealias MoodCheckIn = RapportBindings.MoodCheckIn
public typealias Phq9CheckIn = RapportBindings.Phq9CheckIn
public typealias Phq9Severity = RapportBindings.Phq9Severity
public typealias Rehearsal = RapportBindings.Rehearsal
public typealias Note = RapportBindings.Note
public typealias NoteSubject = RapportBindings.NoteSubject
public typealias StoredInteraction = RapportBindings.StoredInteraction
public typealias StoredWin = RapportBindings.StoredWin
public typealias StoredReflection = RapportBindings.StoredReflection
public typealias StoredGoal = RapportBindings.StoredGoal
public typealias StoredPerson = RapportBindings.StoredPerson
public typealias StoredProfile = RapportBindings.StoredProfile
public typealias StoredMoodCheckIn = RapportBindings.StoredMoodCheckIn
public typealias StoredPhq9CheckIn = RapportBindings.StoredPhq9CheckIn
public typealias StoredRehearsal = RapportBindings.StoredRehearsal
public typealias StoredNote = RapportBindings.StoredNote
public typealias MoodCheckInSaved = RapportBindings.MoodCheckInSaved
public typealias Phq9CheckInSaved = RapportBindings.Phq9CheckInSaved

// Safety: crisis resources, shown on the device at once with no network.
public typealias SafetyAlert = RapportBindings.SafetyAlert
public typealias AlertReason = RapportBindings.AlertReason
public typealias CrisisResource = RapportBindings.CrisisResource
public typealias CrisisContact = RapportBindings.CrisisContact

// The clinical layer: session summary, timeline, termination review, export.
public typealias Whose = RapportBindings.Whose
public typealias KindGrant = RapportBindings.KindGrant
public typealias SessionSummary = RapportBindings.SessionSummary
public typealias DateRange = RapportBindings.DateRange
public typealias SessionPosition = RapportBindings.SessionPosition
public typealias MoodPoint = RapportBindings.MoodPoint
public typealias MoodSource = RapportBindings.MoodSource
public typealias LowPoint = RapportBindings.LowPoint
public typealias InteractionRef = RapportBindings.InteractionRef
public typealias Phq9Entry = RapportBindings.Phq9Entry
public typealias SafetyFlag = RapportBindings.SafetyFlag
public typealias WinEntry = RapportBindings.WinEntry
public typealias GoalProgress = RapportBindings.GoalProgress
public typealias MilestoneReached = RapportBindings.MilestoneReached
public typealias CourseEntry = RapportBindings.CourseEntry
public typealias RehearsalComparison = RapportBindings.RehearsalComparison
public typealias RehearsalOutcome = RapportBindings.RehearsalOutcome
public typealias RealOutcome = RapportBindings.RealOutcome
public typealias InventoryChange = RapportBindings.InventoryChange
public typealias Emphasis = RapportBindings.Emphasis
public typealias InitialEmphasis = RapportBindings.InitialEmphasis
public typealias InventoryEntry = RapportBindings.InventoryEntry
public typealias MiddleEmphasis = RapportBindings.MiddleEmphasis
public typealias FocusPerson = RapportBindings.FocusPerson
public typealias SkillUse = RapportBindings.SkillUse
public typealias TerminationReview = RapportBindings.TerminationReview
public typealias Gain = RapportBindings.Gain
public typealias TimelineFilter = RapportBindings.TimelineFilter
public typealias TimelineEntry = RapportBindings.TimelineEntry
public typealias TimelineEvent = RapportBindings.TimelineEvent
public typealias AfterCarePlan = RapportBindings.AfterCarePlan
public typealias ImportReport = RapportBindings.ImportReport

// Sync, care links and sharing.
public typealias SyncSettings = RapportBindings.SyncSettings
// The protocol's Session (it prints its token) is not re-exported: apps see
// RapportKit's own `Session` (Session.swift).
public typealias Role = RapportBindings.Role
public typealias SyncStatus = RapportBindings.SyncStatus
public typealias SyncState = RapportBindings.SyncState
public typealias SyncCounts = RapportBindings.SyncCounts
public typealias Device = RapportBindings.Device
public typealias Invite = RapportBindings.Invite
public typealias CareLink = RapportBindings.CareLink
public typealias Grant = RapportBindings.Grant
public typealias GrantScope = RapportBindings.GrantScope
public typealias Access = RapportBindings.Access
public typealias AccessLogEntry = RapportBindings.AccessLogEntry

// A little help the generated types cannot carry.

extension Goal {
    /// The milestones' ids in the goal's order (`position`; the map has
    /// none), e.g. for a list or for `reorderMilestones`.
    public var milestoneIdsInOrder: [String] {
        milestones.sorted { ($0.value.position, $0.key) < ($1.value.position, $1.key) }.map(\.key)
    }

    /// Milestones done so far, of all of them.
    public var milestonesDone: Int {
        milestones.values.filter { $0.completedAt != nil }.count
    }
}
