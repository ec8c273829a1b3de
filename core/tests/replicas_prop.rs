//! Property: whatever edits two or three replicas make, and however their
//! changes travel (any order, duplicated, merged, in several batches, over
//! several rounds interleaved with more edits), once everything has been
//! delivered every replica holds the same records and the same index, and a
//! rebuilt index equals the incremental one. What is typed into a text
//! field (Automerge Text) on any replica, concurrently or not, is all there
//! in the end, once: no character lost or doubled. (Where each insertion
//! lands is Automerge's call: a save sends the difference from the text
//! before, and an insertion next to equal characters, such as a space, may
//! be placed on either side of them.)
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use common::{TestStore, at, outbox_of};
use proptest::prelude::*;
use rapport_core::goal::Goal;
use rapport_core::inventory::Person;
use rapport_core::journal::{GoalLink, Interaction, Reflection, Win};
use rapport_core::store::{IncomingChange, ListQuery, MAX_PAGE, Summary};
use rapport_core::{DocKind, ItemId, Store};

const WORDS: [&str; 12] = [
    "call", "dinner", "argument", "walk", "coffee", "sister", "manager", "calm", "boundary",
    "apology", "weekend", "text",
];

fn word(w: u8) -> String {
    WORDS[w as usize % WORDS.len()].to_owned()
}

#[derive(Debug, Clone)]
enum Op {
    CreateGoal {
        r: usize,
        w: u8,
    },
    CreatePerson {
        r: usize,
        w: u8,
    },
    CreateInteraction {
        r: usize,
        person: usize,
        w: u8,
    },
    CreateWin {
        r: usize,
        goal: Option<usize>,
        w: u8,
    },
    CreateReflection {
        r: usize,
        w: u8,
    },
    /// The main text of an item: a goal's title, a person's nickname...
    EditTitle {
        r: usize,
        item: usize,
        w: u8,
    },
    /// A second field: a goal's description, a person's notes...
    EditOther {
        r: usize,
        item: usize,
        w: u8,
    },
    /// Types a word somewhere into a text field no other op rewrites: what a
    /// relationship gives, what I said, a reflection.
    TypeText {
        r: usize,
        item: usize,
        at: u16,
        w: u8,
    },
    AddMilestone {
        r: usize,
        goal: usize,
        w: u8,
    },
    CompleteMilestone {
        r: usize,
        goal: usize,
        milestone: usize,
    },
    SetShared {
        r: usize,
        item: usize,
        shared: bool,
    },
    Delete {
        r: usize,
        item: usize,
    },
    /// Some of `from`'s outbox to `to`, shuffled, duplicated, merged, batched.
    Deliver {
        from: usize,
        to: usize,
        seed: u64,
    },
}

fn op(n: usize) -> impl Strategy<Value = Op> {
    let r = 0..n;
    prop_oneof![
        2 => (r.clone(), any::<u8>()).prop_map(|(r, w)| Op::CreateGoal { r, w }),
        2 => (r.clone(), any::<u8>()).prop_map(|(r, w)| Op::CreatePerson { r, w }),
        2 => (r.clone(), any::<usize>(), any::<u8>())
            .prop_map(|(r, person, w)| Op::CreateInteraction { r, person, w }),
        2 => (r.clone(), proptest::option::of(any::<usize>()), any::<u8>())
            .prop_map(|(r, goal, w)| Op::CreateWin { r, goal, w }),
        1 => (r.clone(), any::<u8>()).prop_map(|(r, w)| Op::CreateReflection { r, w }),
        3 => (r.clone(), any::<usize>(), any::<u8>())
            .prop_map(|(r, item, w)| Op::EditTitle { r, item, w }),
        3 => (r.clone(), any::<usize>(), any::<u8>())
            .prop_map(|(r, item, w)| Op::EditOther { r, item, w }),
        4 => (r.clone(), any::<usize>(), any::<u16>(), any::<u8>())
            .prop_map(|(r, item, at, w)| Op::TypeText { r, item, at, w }),
        3 => (r.clone(), any::<usize>(), any::<u8>())
            .prop_map(|(r, goal, w)| Op::AddMilestone { r, goal, w }),
        2 => (r.clone(), any::<usize>(), any::<usize>())
            .prop_map(|(r, goal, milestone)| Op::CompleteMilestone { r, goal, milestone }),
        2 => (r.clone(), any::<usize>(), any::<bool>())
            .prop_map(|(r, item, shared)| Op::SetShared { r, item, shared }),
        1 => (r.clone(), any::<usize>()).prop_map(|(r, item)| Op::Delete { r, item }),
        4 => (r.clone(), r, any::<u64>()).prop_map(|(from, to, seed)| Op::Deliver { from, to, seed }),
    ]
}

/// A small deterministic generator driven by a proptest-chosen seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*; a zero state would stay zero.
        let mut x = self.0 | 1;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// The live items of one replica, of the given kinds, in a stable order.
fn live(s: &Store, kinds: &[DocKind]) -> Vec<Summary> {
    let mut items = s
        .list(&ListQuery {
            kinds: kinds.to_vec(),
            limit: MAX_PAGE,
            ..Default::default()
        })
        .unwrap();
    items.sort_by(|a, b| a.id.cmp(&b.id));
    items
}

fn pick(items: &[Summary], i: usize) -> Option<&Summary> {
    if items.is_empty() {
        None
    } else {
        Some(&items[i % items.len()])
    }
}

fn edit(s: &Store, item: &Summary, text: String, main: bool) {
    let id = &item.id;
    match item.kind {
        DocKind::Goal => s
            .modify(id, |g: &mut Goal| {
                if main {
                    g.title = text
                } else {
                    g.description = text
                }
                Ok(())
            })
            .map(drop),
        DocKind::Person => s
            .modify(id, |p: &mut Person| {
                if main {
                    p.nickname = text
                } else {
                    p.notes = text
                }
                Ok(())
            })
            .map(drop),
        DocKind::Win => s
            .modify(id, |w: &mut Win| {
                if main {
                    w.title = text
                } else {
                    w.details = text
                }
                Ok(())
            })
            .map(drop),
        DocKind::Interaction => s
            .modify(id, |i: &mut Interaction| {
                if main {
                    i.what_i_wanted = text
                } else {
                    i.what_they_said = text
                }
                Ok(())
            })
            .map(drop),
        other => panic!("no such kind is created here: {other:?}"),
    }
    .unwrap();
}

const EDITABLE: [DocKind; 4] = [
    DocKind::Goal,
    DocKind::Person,
    DocKind::Win,
    DocKind::Interaction,
];

/// The kinds with a text field that only [`Op::TypeText`] edits.
const TYPED: [DocKind; 3] = [DocKind::Person, DocKind::Interaction, DocKind::Reflection];

/// What [`Op::TypeText`] types at step `step`: a word no other op writes.
fn typed(w: u8, step: u32) -> String {
    format!(" {}#{step};", word(w))
}

/// Inserts `typed` into the text at the `at`-th of its char boundaries.
fn type_into(text: &mut String, at: u16, typed: &str) {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    text.insert_str(boundaries[at as usize % boundaries.len()], typed);
}

/// The text field of an item that only [`Op::TypeText`] edits.
fn typed_field(s: &Store, id: &ItemId, kind: DocKind) -> String {
    match kind {
        DocKind::Person => s.get::<Person>(id).unwrap().record.gives,
        DocKind::Interaction => s.get::<Interaction>(id).unwrap().record.what_i_said,
        DocKind::Reflection => s.get::<Reflection>(id).unwrap().record.text,
        other => panic!("no typed field in {other:?}"),
    }
}

/// Runs `op`; returns the item and the text written into its typed field,
/// for [`Op::TypeText`] and a new reflection.
fn run(replicas: &[TestStore], op: &Op, step: u32) -> Option<(ItemId, String)> {
    let when = at(1 + step % 12, 1 + step % 28, step % 24);
    match *op {
        Op::CreateGoal { r, w } => {
            replicas[r].create(Goal::new(word(w), when)).unwrap();
        }
        Op::CreatePerson { r, w } => {
            replicas[r].create(common::person(&word(w))).unwrap();
        }
        Op::CreateInteraction { r, person, w } => {
            let s = &replicas[r];
            if let Some(p) = pick(&live(s, &[DocKind::Person]), person) {
                s.create(common::interaction(&p.id, when, &word(w)))
                    .unwrap();
            }
        }
        Op::CreateWin { r, goal, w } => {
            let s = &replicas[r];
            let mut win = common::win(&word(w), when);
            if let Some(g) = goal.and_then(|g| pick(&live(s, &[DocKind::Goal]), g).cloned()) {
                win.goal = Some(GoalLink {
                    goal_id: g.id,
                    milestone_id: None,
                });
            }
            s.create(win).unwrap();
        }
        Op::CreateReflection { r, w } => {
            let id = replicas[r]
                .create(common::reflection(&word(w), when))
                .unwrap()
                .meta
                .id;
            return Some((id, word(w)));
        }
        Op::EditTitle { r, item, w } | Op::EditOther { r, item, w } => {
            let s = &replicas[r];
            if let Some(x) = pick(&live(s, &EDITABLE), item) {
                let main = matches!(op, Op::EditTitle { .. });
                edit(s, x, format!("{} {step}", word(w)), main);
            }
        }
        Op::TypeText { r, item, at, w } => {
            let s = &replicas[r];
            let x = pick(&live(s, &TYPED), item)?.clone();
            let words = typed(w, step);
            match x.kind {
                DocKind::Person => s
                    .modify(&x.id, |p: &mut Person| {
                        type_into(&mut p.gives, at, &words);
                        Ok(())
                    })
                    .map(drop),
                DocKind::Interaction => s
                    .modify(&x.id, |i: &mut Interaction| {
                        type_into(&mut i.what_i_said, at, &words);
                        Ok(())
                    })
                    .map(drop),
                DocKind::Reflection => s
                    .modify(&x.id, |f: &mut Reflection| {
                        type_into(&mut f.text, at, &words);
                        Ok(())
                    })
                    .map(drop),
                other => panic!("no typed field in {other:?}"),
            }
            .unwrap();
            return Some((x.id.clone(), words));
        }
        Op::AddMilestone { r, goal, w } => {
            let s = &replicas[r];
            if let Some(g) = pick(&live(s, &[DocKind::Goal]), goal) {
                s.add_milestone(&g.id, &word(w)).unwrap();
            }
        }
        Op::CompleteMilestone { r, goal, milestone } => {
            let s = &replicas[r];
            if let Some(g) = pick(&live(s, &[DocKind::Goal]), goal) {
                let record = s.get::<Goal>(&g.id).unwrap().record;
                let ids: Vec<String> = record.milestones.keys().cloned().collect();
                if !ids.is_empty() {
                    s.complete_milestone(&g.id, &ids[milestone % ids.len()], when)
                        .unwrap();
                }
            }
        }
        Op::SetShared { r, item, shared } => {
            let s = &replicas[r];
            if let Some(x) = pick(&live(s, &[]), item) {
                s.set_shared(&x.id, shared).unwrap();
            }
        }
        Op::Delete { r, item } => {
            let s = &replicas[r];
            if let Some(x) = pick(&live(s, &[]), item) {
                s.delete(&x.id).unwrap();
            }
        }
        Op::Deliver { from, to, seed } => deliver(&replicas[from], &replicas[to], seed, false),
    }
    None
}

/// Delivers `from`'s outbox to `to`: with `all`, every piece at least once;
/// otherwise a random part. Pieces are shuffled, some duplicated, some merged
/// with their neighbour, and applied in several batches or one by one.
fn deliver(from: &Store, to: &Store, seed: u64, all: bool) {
    let mut rng = Rng(seed);
    let mut pieces: Vec<IncomingChange> = Vec::new();
    for piece in outbox_of(from) {
        let copies = match rng.below(4) {
            0 if !all => 0,
            3 => 2,
            _ => 1,
        };
        for _ in 0..copies {
            pieces.push(piece.clone());
        }
    }
    rng.shuffle(&mut pieces);
    // Merge some neighbours of the same document into one piece: Automerge
    // bytes concatenate.
    let mut merged: Vec<IncomingChange> = Vec::new();
    for piece in pieces {
        match merged.last_mut() {
            Some(last) if last.doc_id == piece.doc_id && rng.below(3) == 0 => {
                last.data.extend_from_slice(&piece.data);
            }
            _ => merged.push(piece),
        }
    }
    let mut rest = merged.as_slice();
    while !rest.is_empty() {
        let n = 1 + rng.below(rest.len());
        let (batch, tail) = rest.split_at(n);
        rest = tail;
        if rng.below(2) == 0 {
            let applied = to.apply_batch(batch).unwrap();
            assert!(
                applied.rejected.is_empty(),
                "rejected: {:?}",
                applied.rejected
            );
        } else {
            for piece in batch {
                to.apply_changes(&piece.doc_id, piece.kind, &piece.data)
                    .unwrap();
            }
        }
    }
}

/// Every document of a replica as it reads back, deleted ones marked.
fn contents(s: &Store) -> Vec<(ItemId, String)> {
    s.document_ids()
        .unwrap()
        .into_iter()
        .map(|id| {
            let text = match s.kind_of(&id) {
                Err(_) => "deleted".to_owned(),
                Ok(DocKind::Goal) => format!("{:?}", s.get::<Goal>(&id).unwrap()),
                Ok(DocKind::Person) => format!("{:?}", s.get::<Person>(&id).unwrap()),
                Ok(DocKind::Win) => format!("{:?}", s.get::<Win>(&id).unwrap()),
                Ok(DocKind::Interaction) => format!("{:?}", s.get::<Interaction>(&id).unwrap()),
                Ok(DocKind::Reflection) => format!("{:?}", s.get::<Reflection>(&id).unwrap()),
                Ok(other) => panic!("unexpected kind {other:?}"),
            };
            (id, text)
        })
        .collect()
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Op>, u64)> {
    (2usize..=3).prop_flat_map(|n| {
        (
            Just(n),
            proptest::collection::vec(op(n), 1..24),
            any::<u64>(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 500,
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn replicas_converge_whatever_the_order_of_delivery((n, ops, seed) in scenario()) {
        let replicas: Vec<TestStore> = (0..n).map(|_| TestStore::on_tmpfs()).collect();
        let mut typed = Vec::new();
        for (step, op) in ops.iter().enumerate() {
            typed.extend(run(&replicas, op, step as u32));
        }

        // Finally every replica's outbox reaches every other, pairs in random order.
        let mut rng = Rng(seed);
        let mut pairs: Vec<(usize, usize)> = (0..n)
            .flat_map(|a| (0..n).filter(move |&b| b != a).map(move |b| (a, b)))
            .collect();
        rng.shuffle(&mut pairs);
        for (from, to) in pairs {
            deliver(&replicas[from], &replicas[to], rng.next(), true);
        }

        let dump = replicas[0].index_dump().unwrap();
        let records = contents(&replicas[0]);
        for other in &replicas[1..] {
            prop_assert_eq!(&other.index_dump().unwrap(), &dump);
            prop_assert_eq!(&contents(other), &records);
        }
        // Nothing typed into a text field is lost or doubled by the merge.
        let mut expected: BTreeMap<ItemId, Vec<char>> = BTreeMap::new();
        for (id, words) in &typed {
            expected.entry(id.clone()).or_default().extend(words.chars());
        }
        for (id, mut chars) in expected {
            if let Ok(kind) = replicas[0].kind_of(&id) {
                let text = typed_field(&replicas[0], &id, kind);
                let mut got: Vec<char> = text.chars().collect();
                got.sort_unstable();
                chars.sort_unstable();
                prop_assert_eq!(got, chars, "{:?}", text);
            }
        }
        // The index is exactly what the documents say.
        for s in &replicas {
            s.rebuild_index().unwrap();
            prop_assert_eq!(&s.index_dump().unwrap(), &dump);
        }
    }
}
