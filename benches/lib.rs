//! Criterion benchmarks live in `benches/benches/`; run them with
//! `cargo bench -p isocket-benches`. This library target is empty: it only
//! gives the package a home for its benches and their dev-dependencies.
