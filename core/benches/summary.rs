//! The session summary of a full 12-session course (the course of the
//! clinical tests), against the 20 ms target: the default "since we last
//! met" week in the middle phase, and the termination summary that looks
//! back over the whole course.
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "../tests/course/mod.rs"]
mod course;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rapport_core::Store;
use rapport_core::clinical::Whose;
use rapport_core::profile::Phase;

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("course.db")).unwrap();
    course::build(&store);

    c.bench_function("session_summary/middle_week", |b| {
        b.iter(|| {
            black_box(
                store
                    .session_summary(&Whose::Mine, None, course::day(2, 15))
                    .unwrap(),
            )
        })
    });

    let mut profile = store.profile().unwrap();
    profile.phase = Phase::Termination;
    profile.current_session = 12;
    profile.last_session_on = Some(course::day(3, 16));
    store.save_profile(profile).unwrap();
    c.bench_function("session_summary/termination_full_course", |b| {
        b.iter(|| {
            black_box(
                store
                    .session_summary(&Whose::Mine, None, course::day(3, 29))
                    .unwrap(),
            )
        })
    });
}

criterion_group!(summary_benches, benches);
criterion_main!(summary_benches);
