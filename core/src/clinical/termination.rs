//! The termination review: gains, wins, warning signs and the plan for
//! after, compiled from the whole course of the record.

use chrono::{DateTime, NaiveDate, Utc};

use super::ClinicalError;
use super::load::{self, Gathered, WinEntry, skill_counts, win_entry};
use super::scope::Whose;
use crate::checkin::Phq9Severity;
use crate::goal::GoalStatus;
use crate::id::ItemId;
use crate::inventory::DisputeStage;
use crate::store::Store;

/// Looking back over the course at its end.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TerminationReview {
    /// What changed over the course, in the order listed at [`Gain`].
    pub gains: Vec<Gain>,
    /// Every win of the course, oldest first.
    pub wins: Vec<WinEntry>,
    /// From the profile's after-care plan.
    pub warning_signs: Vec<String>,
    pub plan_for_after: String,
    pub sessions_left: i32,
}

/// One gain of the course. Listed in this order: the PHQ-9 from first to
/// latest, role disputes that changed stage, goals achieved, milestones
/// reached, skills practised.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Gain {
    Phq9 {
        first_at: DateTime<Utc>,
        first_total: i32,
        first_severity: Phq9Severity,
        latest_at: DateTime<Utc>,
        latest_total: i32,
        latest_severity: Phq9Severity,
    },
    DisputeMoved {
        person_id: ItemId,
        person: String,
        from: DisputeStage,
        to: DisputeStage,
    },
    GoalAchieved {
        goal_id: ItemId,
        title: String,
    },
    MilestonesReached {
        goal_id: ItemId,
        title: String,
        reached: u32,
        total: u32,
    },
    SkillPractised {
        skill: String,
        times: u32,
    },
}

impl Store {
    /// The termination review of `whose` record over everything before `until`.
    pub fn termination_review(
        &self,
        whose: &Whose,
        until: NaiveDate,
    ) -> Result<TerminationReview, ClinicalError> {
        let all = load::gather_all(self, whose)?;
        let until = load::zones_of(self, whose)?.start_of(until);
        Ok(review(&all, until))
    }
}

/// Compiles the review from the items of `record` dated before `until`.
pub(crate) fn review(record: &Gathered, until: DateTime<Utc>) -> TerminationReview {
    let mut gains = Vec::new();
    let phq9: Vec<_> = record.phq9.iter().filter(|c| c.record.at < until).collect();
    if let (Some(first), Some(latest)) = (phq9.first(), phq9.last())
        && phq9.len() > 1
    {
        gains.push(Gain::Phq9 {
            first_at: first.record.at,
            first_total: first.record.total(),
            first_severity: first.record.severity(),
            latest_at: latest.record.at,
            latest_total: latest.record.total(),
            latest_severity: latest.record.severity(),
        });
    }
    let mut people: Vec<_> = record.people.values().collect();
    people.sort_by(|a, b| (&a.record.nickname, &a.id).cmp(&(&b.record.nickname, &b.id)));
    for p in people {
        let stages: Vec<_> = p
            .record
            .dispute_history
            .iter()
            .filter(|c| c.at < until)
            .collect();
        if let (Some(first), Some(last)) = (stages.first(), stages.last())
            && first.stage != last.stage
        {
            gains.push(Gain::DisputeMoved {
                person_id: p.id.clone(),
                person: p.record.nickname.clone(),
                from: first.stage,
                to: last.stage,
            });
        }
    }
    let goals: Vec<_> = record
        .goals
        .iter()
        .filter(|g| g.record.set_at < until)
        .collect();
    for g in &goals {
        if g.record.status == GoalStatus::Achieved {
            gains.push(Gain::GoalAchieved {
                goal_id: g.id.clone(),
                title: g.record.title.clone(),
            });
        }
    }
    for g in &goals {
        let reached = g
            .record
            .milestones
            .values()
            .filter(|m| m.completed_at.is_some_and(|at| at < until))
            .count();
        if reached > 0 {
            gains.push(Gain::MilestonesReached {
                goal_id: g.id.clone(),
                title: g.record.title.clone(),
                reached: crate::clinical::count(reached),
                total: crate::clinical::count(g.record.milestones.len()),
            });
        }
    }
    let skills = skill_counts(
        record
            .interactions
            .iter()
            .filter(|i| i.record.occurred_at < until),
    );
    gains.extend(
        skills
            .into_iter()
            .map(|(skill, times)| Gain::SkillPractised {
                skill,
                times: crate::clinical::count(times),
            }),
    );

    let profile = record.profile.as_ref();
    TerminationReview {
        gains,
        wins: record
            .wins
            .iter()
            .filter(|w| w.record.occurred_at < until)
            .map(|w| win_entry(record, w))
            .collect(),
        warning_signs: profile.map_or_else(Vec::new, |(_, plan)| plan.warning_signs.clone()),
        plan_for_after: profile.map_or_else(String::new, |(_, plan)| plan.plan_for_after.clone()),
        sessions_left: profile.map_or(0, |(p, _)| {
            p.record
                .session_count
                .saturating_sub(p.record.current_session)
        }),
    }
}
