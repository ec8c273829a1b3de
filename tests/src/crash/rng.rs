//! The trials' random moments, from a seed that is printed, so that a series
//! can be run again with the same delays (SplitMix64: small, and plenty for
//! picking times).

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// A seed that differs from run to run.
    pub fn seed_from_clock() -> u64 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        nanos ^ u64::from(std::process::id()).rotate_left(32)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A duration from `low` up to (not including) `high`, to the millisecond.
    pub fn between(&mut self, low: Duration, high: Duration) -> Duration {
        let (low, high) = (low.as_millis() as u64, high.as_millis() as u64);
        let span = high.saturating_sub(low).max(1);
        Duration::from_millis(low + self.next_u64() % span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_seed_gives_the_same_moments_within_the_bounds() {
        let (low, high) = (Duration::from_millis(10), Duration::from_millis(400));
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        let drawn: Vec<Duration> = (0..1_000).map(|_| a.between(low, high)).collect();
        assert!(drawn.iter().all(|d| *d >= low && *d < high));
        assert!(drawn.iter().any(|d| *d < Duration::from_millis(50)));
        assert!(drawn.iter().any(|d| *d > Duration::from_millis(350)));
        assert_eq!(
            drawn,
            (0..1_000).map(|_| b.between(low, high)).collect::<Vec<_>>()
        );
        assert_ne!(Rng::new(43).next_u64(), Rng::new(42).next_u64());
    }
}
