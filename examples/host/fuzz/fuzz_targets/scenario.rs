//! The `.scn` parser on any text: never a panic, and a file that parses
//! runs on the simulator to a verdict (PASS or a FAIL with a line), without
//! panicking either. Long `advance` steps are what a fuzzer finds first, so
//! files asking for more than a simulated day in total are only parsed.
#![no_main]

use isocket_host::scenario::{self, Step};
use isocket_host::script::run_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(steps) = scenario::parse(text) else {
        return;
    };
    let simulated: u128 = steps
        .iter()
        .map(|line| match &line.step {
            Step::Advance(d) | Step::ButtonHold(d) => d.as_millis(),
            _ => 0,
        })
        .sum();
    if simulated <= 86_400_000 {
        let _ = run_text(text);
    }
});
