//! SMS command parsing throughput, next to a baseline that only upper-cases
//! the same bytes (the least any case-insensitive parser must do).
//!
//! `cargo bench -p isocket-benches --bench proto_parse` prints criterion's
//! figures for both, then one line with their ratio measured in the same run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use isocket_proto::Command;

/// Every command form, one per line (`#` lines are comments).
fn corpus() -> Vec<&'static str> {
    include_str!("../data/commands.txt")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .collect()
}

fn parse_all(corpus: &[&str]) -> usize {
    corpus
        .iter()
        .filter(|text| black_box(text).parse::<Command>().is_ok())
        .count()
}

fn upper_case_all(corpus: &[&str]) -> usize {
    let mut buffer = [0u8; 64];
    corpus
        .iter()
        .map(|text| {
            let bytes = black_box(text).as_bytes();
            let out = &mut buffer[..bytes.len()];
            out.copy_from_slice(bytes);
            out.make_ascii_uppercase();
            black_box(&out);
            out.len()
        })
        .sum()
}

fn bench(c: &mut Criterion, corpus: &[&str]) {
    let mut group = c.benchmark_group("proto");
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function("parse", |b| b.iter(|| parse_all(corpus)));
    group.bench_function("uppercase-baseline", |b| b.iter(|| upper_case_all(corpus)));
    group.finish();
}

fn main() {
    let corpus = corpus();
    assert_eq!(
        parse_all(&corpus),
        corpus.len(),
        "every corpus line must parse"
    );
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion, &corpus);
    criterion.final_summary();

    let parse = isocket_benches::median_ns(|| parse_all(&corpus), 200);
    let upper = isocket_benches::median_ns(|| upper_case_all(&corpus), 200);
    let per_command = |ns: f64| ns / corpus.len() as f64;
    println!(
        "ratio parse-vs-uppercase {} x ({:.1} ns vs {:.1} ns per command, {} commands)",
        parse / upper,
        per_command(parse),
        per_command(upper),
        corpus.len()
    );
}
