//! Pure work spread over the cores: sealing keys for a grantee, opening a
//! page of sealed pieces, decoding a page of documents.

/// Below this many items a batch stays on the calling thread: starting
/// threads would cost more than it saves.
pub(crate) const PARALLEL_FROM: usize = 64;

/// The threads a batch is spread over: one per core, at most 4.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// `f` of every item, in order: over [`threads`] threads for a batch of
/// [`PARALLEL_FROM`] or more, each thread taking one contiguous part.
pub(crate) fn map<T: Send, U: Send>(items: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    let threads = threads();
    if items.len() < PARALLEL_FROM || threads == 1 {
        return items.into_iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let mut parts = Vec::with_capacity(threads);
    let mut rest = items;
    while rest.len() > chunk {
        let tail = rest.split_off(chunk);
        parts.push(std::mem::replace(&mut rest, tail));
    }
    parts.push(rest);
    let f = &f;
    std::thread::scope(|scope| {
        let running: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(f).collect::<Vec<U>>()))
            .collect();
        let mut out = Vec::new();
        for part in running {
            // A panic in `f` is a bug: it goes on in the caller's thread.
            out.extend(part.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_in_order_whatever_the_size() {
        for n in [0, 1, PARALLEL_FROM - 1, PARALLEL_FROM, 1_001] {
            let items: Vec<usize> = (0..n).collect();
            let squares = map(items.clone(), |i| i * i);
            assert_eq!(squares, items.iter().map(|i| i * i).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_panic_reaches_the_caller() {
        let items: Vec<usize> = (0..PARALLEL_FROM * 2).collect();
        let caught = std::panic::catch_unwind(|| {
            map(items.clone(), |i| {
                assert!(i != PARALLEL_FROM + 3, "item {i}");
                i
            })
        });
        assert!(caught.is_err());
    }
}
