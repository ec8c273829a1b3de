// The value types RapportKit works with, re-exported from the generated bindings
// so that apps import RapportKit only. They are Swift structs and enums
// (Equatable, Hashable, Sendable): plain values, safe to pass between tasks.
// The generated objects (RapportStore, RapportSync, observer handles) are not
// re-exported: RecordStore and SyncSession wrap them.
import RapportBindings

// Errors (thrown by RecordStore and SyncSession; see Errors.swift).
public typealias StoreError = RapportBindings.StoreError
public typealias SyncError = RapportBindings.SyncError
public typealias PairingSeal = RapportBindings.PairingSeal

// What every item has, listing and searching, observing.
public typealias ItemKind = RapportBindings.ItemKind
public typealias ItemMeta = RapportBindings.ItemMeta
public typealias ItemChange = RapportBindings.ItemChange
public typealias Summary = RapportBindings.Summary
public typealias ListQuery = RapportBindings.ListQuery

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
public typealias SessionSummary = RapportBindings.SessionSummary
public typealias DayRange = RapportBindings.DayRange
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
// SessionInfo (it prints its token) is not re-exported: apps see `Session` (Session.swift).
public typealias Role = RapportBindings.Role
public typealias SyncStatus = RapportBindings.SyncStatus
public typealias SyncState = RapportBindings.SyncState
public typealias SyncReport = RapportBindings.SyncReport
public typealias Device = RapportBindings.Device
public typealias Invite = RapportBindings.Invite
public typealias CareLink = RapportBindings.CareLink
public typealias Grant = RapportBindings.Grant
public typealias GrantScope = RapportBindings.GrantScope
public typealias Access = RapportBindings.Access
public typealias AccessLogEntry = RapportBindings.AccessLogEntry
