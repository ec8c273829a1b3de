//! The clinical layer on `RapportStore`: "since we last met" (the session
//! summary), the timeline, the termination review and the plan for after,
//! export and import, deleting everything on this device. Typed mirrors of
//! the core's views; the shells lay them out.
//!
//! Whose record: `client_id` is `None` for this device's own record, or a
//! client's account id on a therapist's device. Days are ISO `YYYY-MM-DD`
//! strings and ranges include their last day.
//!
//! The methods are here; the typed mirrors, each with its conversion, are
//! in the file named after the core module they mirror: `summary`, `phase`
//! (what each phase emphasises), `timeline`, `termination` (with the
//! after-care plan) and `export`.

use chrono::NaiveDate;
use rapport_core::clinical::{self as core, Whose};
use rapport_core::profile::AfterCarePlan as CorePlan;

use crate::errors::StoreError;
use crate::records::{date, iso_date, item_id};
use crate::store::RapportStore;

mod export;
mod phase;
mod summary;
mod termination;
mod timeline;

pub use export::ImportReport;
pub use phase::{Emphasis, FocusPerson, InitialEmphasis, InventoryEntry, MiddleEmphasis, SkillUse};
pub use summary::{
    CourseEntry, DayRange, GoalProgress, InteractionRef, InventoryChange, LowPoint,
    MilestoneReached, MoodPoint, MoodSource, Phq9Entry, RealOutcome, RehearsalComparison,
    RehearsalOutcome, SafetyFlag, SessionPosition, SessionSummary, WinEntry,
};
pub use termination::{AfterCarePlan, Gain, TerminationReview};
pub use timeline::{TimelineEntry, TimelineEvent, TimelineFilter};

#[uniffi::export]
impl RapportStore {
    /// "Since we last met" for `client_id`'s record (`None`: mine). Without
    /// `from`, from the profile's last session date (or the beginning);
    /// `to` (included) defaults to `today`.
    pub fn session_summary(
        &self,
        client_id: Option<String>,
        from: Option<String>,
        to: Option<String>,
        today: String,
    ) -> Result<SessionSummary, StoreError> {
        summary_of(&self.inner, &whose(client_id), from, to, today)
    }

    /// Every entry of `client_id`'s record from `from` to `to` (both
    /// included), oldest first.
    pub fn timeline(
        &self,
        client_id: Option<String>,
        from: String,
        to: String,
        filter: TimelineFilter,
    ) -> Result<Vec<TimelineEntry>, StoreError> {
        let range = core::DateRange::since(date("from", &from)?, date("to", &to)?)?;
        let filter = core::TimelineFilter {
            person_id: filter
                .person_id
                .map(|p| item_id("person_id", p))
                .transpose()?,
            goal_id: filter.goal_id.map(|g| item_id("goal_id", g)).transpose()?,
            kinds: filter.kinds.into_iter().map(Into::into).collect(),
        };
        let entries = self.inner.timeline(&whose(client_id), range, &filter)?;
        Ok(entries.into_iter().map(Into::into).collect())
    }

    /// Gains, wins, warning signs and the plan for after, over the whole
    /// course up to (not including) `until`.
    pub fn termination_review(
        &self,
        client_id: Option<String>,
        until: String,
    ) -> Result<TerminationReview, StoreError> {
        let until = date("until", &until)?;
        Ok(self
            .inner
            .termination_review(&whose(client_id), until)?
            .into())
    }

    /// The client's warning signs and plan for after therapy.
    pub fn after_care_plan(&self) -> Result<AfterCarePlan, StoreError> {
        Ok(self.inner.after_care_plan()?.into())
    }

    pub fn save_after_care_plan(&self, plan: AfterCarePlan) -> Result<AfterCarePlan, StoreError> {
        let plan = CorePlan {
            warning_signs: plan.warning_signs,
            plan_for_after: plan.plan_for_after,
        };
        Ok(self.inner.save_after_care_plan(plan)?.into())
    }

    /// Everything this device holds as one JSON file (re-importable).
    pub fn export_json(&self) -> Result<String, StoreError> {
        Ok(self.inner.export_json()?)
    }

    /// Imports an export; a damaged or newer file changes nothing.
    pub fn import_json(&self, json: String) -> Result<ImportReport, StoreError> {
        Ok(self.inner.import_json(&json)?.into())
    }

    /// `client_id`'s record (`None`: mine) as a readable Markdown document.
    pub fn export_markdown(&self, client_id: Option<String>) -> Result<String, StoreError> {
        Ok(self.inner.export_markdown(&whose(client_id))?)
    }

    /// Deletes everything on this device for real (the file is vacuumed).
    /// To delete on the server too, use `RapportSync.delete_everything`.
    /// Returns how many items were deleted.
    pub fn delete_everything(&self) -> Result<u64, StoreError> {
        let deleted = self.inner.delete_everything()?;
        Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
    }
}

/// A session summary of `whose` record; without `from` the range runs
/// from the last session to `today` (days as ISO strings, both included).
pub(crate) fn summary_of(
    store: &rapport_core::Store,
    whose: &Whose,
    from: Option<String>,
    to: Option<String>,
    today: String,
) -> Result<SessionSummary, StoreError> {
    let today = date("today", &today)?;
    let range = match (from, to) {
        (None, None) => None,
        (Some(from), to) => {
            let last = to.map(|t| date("to", &t)).transpose()?.unwrap_or(today);
            Some(core::DateRange::since(date("from", &from)?, last)?)
        }
        (None, Some(_)) => {
            return Err(StoreError::Invalid {
                field: "from".into(),
                reason: "give the first day of the range too".into(),
            });
        }
    };
    Ok(store.session_summary(whose, range, today)?.into())
}

fn whose(client_id: Option<String>) -> Whose {
    match client_id {
        None => Whose::Mine,
        Some(account_id) => Whose::Client { account_id },
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn day(d: NaiveDate) -> String {
    iso_date(d)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};
    use rapport_core::checkin::Phq9CheckIn;
    use rapport_core::journal::Win;

    use super::*;
    use crate::records::{AlertReason, ItemKind};
    fn store(dir: &tempfile::TempDir, name: &str) -> Arc<RapportStore> {
        RapportStore::open(dir.path().join(name).display().to_string()).unwrap()
    }

    fn fill(store: &RapportStore) {
        let at = |d| Utc.with_ymd_and_hms(2025, 3, d, 18, 0, 0).unwrap();
        store
            .inner
            .create(Win {
                occurred_at: at(4),
                title: "Asked Sam for help".into(),
                details: String::new(),
                goal: None,
            })
            .unwrap();
        for (d, item9) in [(3, 0), (10, 1)] {
            store
                .inner
                .check_in_phq9(Phq9CheckIn {
                    at: at(d),
                    items: vec![2, 2, 1, 1, 1, 1, 1, 1, item9],
                })
                .unwrap();
        }
    }

    #[test]
    fn the_session_summary_has_the_wins_the_phq9_trend_and_the_flag() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir, "a.db");
        fill(&store);
        let summary = store
            .session_summary(None, Some("2025-03-01".into()), None, "2025-03-14".into())
            .unwrap();
        assert_eq!(summary.client_id, None);
        assert_eq!(
            summary.range,
            DayRange {
                from: "2025-03-01".into(),
                to: "2025-03-14".into()
            }
        );
        assert_eq!(summary.wins.len(), 1);
        assert_eq!(summary.wins[0].title, "Asked Sam for help");
        assert_eq!(
            summary.phq9.iter().map(|p| p.total).collect::<Vec<_>>(),
            [10, 11]
        );
        assert_eq!(summary.phq9_change, Some(1));
        assert_eq!(summary.safety_flags.len(), 1);
        assert_eq!(summary.safety_flags[0].reason, AlertReason::Phq9Item9);
        assert!(matches!(summary.emphasis, Emphasis::Initial { .. }));

        let timeline = store
            .timeline(
                None,
                "2025-03-01".into(),
                "2025-03-31".into(),
                TimelineFilter {
                    kinds: vec![ItemKind::Win],
                    ..TimelineFilter::default()
                },
            )
            .unwrap();
        assert_eq!(timeline.len(), 1);
        assert_eq!(timeline[0].event, TimelineEvent::Item);
    }

    #[test]
    fn a_reversed_range_or_a_bad_day_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir, "a.db");
        let err = store
            .session_summary(
                None,
                Some("2025-03-10".into()),
                Some("2025-03-01".into()),
                "2025-03-14".into(),
            )
            .unwrap_err();
        assert!(err.to_string().contains("empty or reversed"), "{err}");
        let err = store
            .termination_review(None, "14/03/2025".into())
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid { .. }), "{err}");
    }

    #[test]
    fn an_export_imports_into_an_empty_store_and_deleting_empties_it() {
        let dir = tempfile::tempdir().unwrap();
        let original = store(&dir, "a.db");
        fill(&original);
        original
            .save_after_care_plan(AfterCarePlan {
                warning_signs: vec!["sleeping badly for a week".into()],
                plan_for_after: "call Sam on Sundays".into(),
            })
            .unwrap();
        let json = original.export_json().unwrap();

        let copy = store(&dir, "b.db");
        let report = copy.import_json(json).unwrap();
        assert_eq!(report.documents, 4);
        assert_eq!(report.changed, 4);
        assert_eq!(
            copy.after_care_plan().unwrap().plan_for_after,
            "call Sam on Sundays"
        );
        let markdown = copy.export_markdown(None).unwrap();
        assert!(markdown.contains("Asked Sam for help"), "{markdown}");
        assert_eq!(
            copy.termination_review(None, "2025-04-01".into())
                .unwrap()
                .warning_signs,
            ["sleeping badly for a week"]
        );

        let err = copy.import_json("{\"format\":".into()).unwrap_err();
        assert!(matches!(err, StoreError::Malformed { .. }), "{err}");

        assert_eq!(copy.delete_everything().unwrap(), 4);
        assert!(copy.export_markdown(None).unwrap().len() < markdown.len());
    }
}
