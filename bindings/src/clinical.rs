//! The clinical layer on `RapportStore`: "since we last met" (the session
//! summary), the timeline, the termination review and the plan for after,
//! export and import, deleting everything on this device. The views are
//! the core's own types; the shells lay them out.
//!
//! Whose record: `Whose::Mine` for this device's own record,
//! `Whose::Client { account_id }` for a client's on a therapist's device.
//! Days are calendar days (`LocalDate` in Kotlin, `CalendarDay` in Swift);
//! `since` and `until` both belong to the range.

use chrono::NaiveDate;
use rapport_core::clinical::{
    DateRange, ImportReport, SessionSummary, TerminationReview, TimelineEntry, TimelineFilter,
    Whose,
};
use rapport_core::profile::AfterCarePlan;

use crate::errors::StoreError;
use crate::store::RapportStore;

#[uniffi::export]
impl RapportStore {
    /// The session summary of `since` to `until` (both included; `until`
    /// defaults to `today`), or without `since` of the days since the last
    /// session.
    pub fn session_summary(
        &self,
        whose: Whose,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<SessionSummary, StoreError> {
        summary_of(&self.inner, &whose, since, until, today)
    }

    /// Every dated event of `since` to `until` (both included), oldest first.
    pub fn timeline(
        &self,
        whose: Whose,
        since: NaiveDate,
        until: NaiveDate,
        filter: TimelineFilter,
    ) -> Result<Vec<TimelineEntry>, StoreError> {
        let range = DateRange::since(since, until)?;
        Ok(self.inner.timeline(&whose, range, &filter)?)
    }

    /// What the client gained over the course, up to and including `until`.
    pub fn termination_review(
        &self,
        whose: Whose,
        until: NaiveDate,
    ) -> Result<TerminationReview, StoreError> {
        Ok(self.inner.termination_review(&whose, until)?)
    }

    pub fn after_care_plan(&self) -> Result<AfterCarePlan, StoreError> {
        Ok(self.inner.after_care_plan()?)
    }

    pub fn save_after_care_plan(&self, plan: AfterCarePlan) -> Result<AfterCarePlan, StoreError> {
        Ok(self.inner.save_after_care_plan(plan)?)
    }

    /// The whole record as JSON (every document, readable), for the person
    /// to keep or to move to another app.
    pub fn export_json(&self) -> Result<String, StoreError> {
        Ok(self.inner.export_json()?)
    }

    /// Imports an export; a damaged file imports nothing.
    pub fn import_json(&self, json: String) -> Result<ImportReport, StoreError> {
        Ok(self.inner.import_json(&json)?)
    }

    /// The record as a readable Markdown document.
    pub fn export_markdown(&self, whose: Whose) -> Result<String, StoreError> {
        Ok(self.inner.export_markdown(&whose)?)
    }

    /// Deletes every item on this device (not on the server: see
    /// `RapportSync::delete_everything`). Returns how many were deleted.
    pub fn delete_everything(&self) -> Result<u64, StoreError> {
        let deleted = self.inner.delete_everything()?;
        Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
    }
}

pub(crate) fn summary_of(
    store: &rapport_core::Store,
    whose: &Whose,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<SessionSummary, StoreError> {
    let range = match (since, until) {
        (None, None) => None,
        (Some(since), until) => Some(DateRange::since(since, until.unwrap_or(today))?),
        (None, Some(_)) => {
            return Err(StoreError::Invalid {
                field: "since".into(),
                reason: "give the first day of the range too".into(),
            });
        }
    };
    Ok(store.session_summary(whose, range, today)?)
}
