//! Runs every scenario file in `scenarios/` on the simulator, on the engine
//! alone and through the device loop, the real modem driver and the
//! emulated modem: each must pass both ways.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use isocket_host::script::{Verdict, report, run_file};

fn scenario_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "scn"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "only {} scenario files", files.len());
    files
}

fn every_file_passes(through_at: bool) {
    let failures: Vec<String> = scenario_files()
        .iter()
        .filter_map(|file| {
            let verdict = run_file(file, through_at);
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            (verdict != Verdict::Pass).then(|| report(&name, &verdict))
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_scenario_file_passes_on_the_engine() {
    every_file_passes(false);
}

#[test]
fn every_scenario_file_passes_through_at() {
    every_file_passes(true);
}

/// `hang` and `expect watchdog-reset` parse, and the simulator, which has
/// no watchdog, refuses them at their line instead of passing them by.
#[test]
fn the_watchdog_steps_are_refused_by_the_simulator() {
    use isocket_host::script::{run_text, run_text_through_at};
    for text in ["advance 1s\nhang\n", "expect watchdog-reset\n"] {
        for verdict in [run_text(text), run_text_through_at(text)] {
            let Verdict::Fail { line, reason, .. } = verdict else {
                panic!("{text:?} passed on the simulator");
            };
            assert_eq!(line, text.lines().count());
            assert!(reason.contains("pico-sim"), "{reason}");
        }
    }
}
