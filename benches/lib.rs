//! Shared pieces of the criterion benchmarks in `benches/benches/` (run them
//! with `cargo bench -p isocket-benches`, or all figures at once with
//! `cargo xtask bench`), and the `sms-cost` binary that `cargo xtask bench`
//! runs under callgrind.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Median nanoseconds of one call of `pass`, from 101 batches of `passes`
/// calls each. Two figures measured back to back this way give a ratio that
/// holds even when the machine's load moves the absolute times.
pub fn median_ns(mut pass: impl FnMut() -> usize, passes: u32) -> f64 {
    const BATCHES: usize = 101;
    let mut samples: Vec<Duration> = (0..BATCHES)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..passes {
                black_box(pass());
            }
            started.elapsed()
        })
        .collect();
    samples.sort();
    samples.get(BATCHES / 2).map_or(f64::NAN, |d| {
        d.as_secs_f64() * 1e9 / f64::from(passes.max(1))
    })
}
