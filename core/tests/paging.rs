//! `list_page`: a page of the list with the total number of matching items,
//! for a paging UI ("21 to 40 of 57").
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestStore, at, goal, interaction, link, person, reflection, win};
use rapport_core::store::{ListQuery, MAX_PAGE, Page};
use rapport_core::{DocKind, Error, ItemId};

/// 7 wins (2 on a goal), 3 interactions with one person, 1 reflection,
/// plus the person and the goal themselves: 13 items.
fn sample(s: &TestStore) -> (ItemId, ItemId) {
    let sam = s.create(person("Sam")).unwrap().meta.id;
    let g = s.create(goal("Speak up")).unwrap().meta.id;
    for day in 1..=7 {
        let mut w = win(&format!("win {day}"), at(3, day, 9));
        if day <= 2 {
            w.goal = link(&g);
        }
        s.create(w).unwrap();
    }
    for day in 10..13 {
        s.create(interaction(&sam, at(3, day, 18), "to be heard"))
            .unwrap();
    }
    s.create(reflection("a quiet week", at(3, 20, 21))).unwrap();
    (sam, g)
}

fn query(kinds: &[DocKind], offset: u32, limit: u32) -> ListQuery {
    ListQuery {
        kinds: kinds.to_vec(),
        offset,
        limit,
        ..Default::default()
    }
}

#[test]
fn a_page_has_the_rows_of_list_and_the_total_ignoring_offset_and_limit() {
    let s = TestStore::new();
    sample(&s);
    let wins = [DocKind::Win];
    let mut seen = Vec::new();
    for offset in [0, 3, 6] {
        let q = query(&wins, offset, 3);
        let page = s.list_page(&q).unwrap();
        assert_eq!(page.items, s.list(&q).unwrap(), "same rows as list");
        assert_eq!(page.total, 7);
        seen.extend(page.items.into_iter().map(|r| r.id));
    }
    assert_eq!(seen.len(), 7, "three pages cover every win once");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 7);

    // Every kind, the default page size.
    let all = s.list_page(&ListQuery::default()).unwrap();
    assert_eq!(all.total, 13);
    assert_eq!(all.items.len(), 13);
}

#[test]
fn the_total_follows_every_filter() {
    let s = TestStore::new();
    let (sam, g) = sample(&s);
    let total = |q: ListQuery| s.list_page(&q).unwrap().total;
    assert_eq!(
        total(ListQuery {
            person_id: Some(sam.clone()),
            ..Default::default()
        }),
        3
    );
    assert_eq!(
        total(ListQuery {
            goal_id: Some(g),
            kinds: vec![DocKind::Win],
            ..Default::default()
        }),
        2
    );
    assert_eq!(
        total(ListQuery {
            since: Some(at(3, 5, 0)),
            until: Some(at(3, 11, 0)),
            ..Default::default()
        }),
        4,
        "wins of 5, 6, 7 and the interaction of the 10th"
    );
    assert_eq!(total(query(&[DocKind::Win, DocKind::Reflection], 0, 1)), 8);
    // No match at all.
    assert_eq!(
        total(ListQuery {
            person_id: Some(ItemId::new("no-such-person")),
            ..Default::default()
        }),
        0
    );
    assert_eq!(
        total(ListQuery {
            since: Some(at(4, 1, 0)),
            until: Some(at(3, 1, 0)),
            ..Default::default()
        }),
        0,
        "an empty range"
    );
}

#[test]
fn an_offset_past_the_end_gives_no_rows_and_the_total() {
    let s = TestStore::new();
    sample(&s);
    for offset in [7, 8, 1_000, u32::MAX] {
        let page = s.list_page(&query(&[DocKind::Win], offset, 5)).unwrap();
        assert_eq!(
            page,
            Page {
                items: Vec::new(),
                total: 7
            },
            "offset {offset}"
        );
    }
    // The last, partial page.
    let page = s.list_page(&query(&[DocKind::Win], 5, 5)).unwrap();
    assert_eq!((page.items.len(), page.total), (2, 7));
}

#[test]
fn a_bad_limit_is_refused_as_by_list() {
    let s = TestStore::new();
    sample(&s);
    let q = query(&[], 0, MAX_PAGE + 1);
    assert!(matches!(
        s.list_page(&q),
        Err(Error::Invalid { field: "limit", .. })
    ));
    assert!(s.list(&q).is_err());
    let page = s.list_page(&query(&[], 0, MAX_PAGE)).unwrap();
    assert_eq!(page.total, 13);
}

#[test]
fn deleted_items_are_not_counted_and_an_empty_store_has_none() {
    let empty = TestStore::new();
    assert_eq!(
        empty.list_page(&ListQuery::default()).unwrap(),
        Page::default()
    );

    let s = TestStore::new();
    sample(&s);
    let first = s.list(&query(&[DocKind::Win], 0, 2)).unwrap();
    for row in &first {
        s.delete(&row.id).unwrap();
    }
    let page = s.list_page(&query(&[DocKind::Win], 0, 50)).unwrap();
    assert_eq!(page.total, 5);
    assert!(
        page.items
            .iter()
            .all(|r| first.iter().all(|f| f.id != r.id))
    );
    // Deleting an already deleted item fails and changes no count.
    assert!(s.delete(&first[0].id).is_err());
    assert_eq!(s.list_page(&ListQuery::default()).unwrap().total, 11);
    // The index rebuilt from the documents counts the same.
    s.rebuild_index().unwrap();
    assert_eq!(s.list_page(&ListQuery::default()).unwrap().total, 11);
}
