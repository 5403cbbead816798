//! `cargo xtask pico-sim [--scenario FILE]`: the Pico firmware, built
//! exactly as released, running in rp2040js under Node (`xtask/pico-sim/`,
//! its packages from the committed lockfile by `npm ci`), driven by
//! `isocket-host pico` with a `.scn` scenario: the emulated modem on UART0,
//! a DS18B20 on the 1-Wire pin, the inputs and outputs on the wiring
//! table's pins. What the harness models beyond rp2040js: xtask/README.md.
//!
//! Without `--scenario` it runs the CI scenario (`xtask/pico-sim/ci.scn`)
//! and writes its speed into BENCHMARKS.md; the CI step runs the same
//! scenario, bounded in wall time, and writes nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{BOARDS, StepResult, board_target_dir, ensure_rustup_targets, generated, run, run_in};

const HARNESS: &str = "xtask/pico-sim";
const CI_SCENARIO: &str = "xtask/pico-sim/ci.scn";
const WIRING: &str = "examples/wiring.csv";
const PICO_DIR: &str = "examples/rp2040-pico";
/// The CI scenario takes about 20 s of wall time on a CI machine; past
/// this, something hangs.
const WALL_LIMIT: Duration = Duration::from_secs(300);

/// `cargo xtask pico-sim [--scenario FILE]`.
pub fn main(args: &[String]) -> StepResult {
    match args {
        [] => {
            let figures = run_scenario(CI_SCENARIO)?;
            let body = format!(
                "| scenario | simulated | wall time | simulated s per wall s |\n\
                 |---|---:|---:|---:|\n\
                 | `{CI_SCENARIO}` | {:.1} s | {:.1} s | {:.2} |",
                figures.simulated_s,
                figures.wall_s,
                figures.simulated_s / figures.wall_s.max(1e-9)
            );
            generated::write_block(
                "BENCHMARKS.md",
                "pico-sim",
                "cargo xtask pico-sim",
                &body,
                false,
            )?;
            println!("pico-sim: BENCHMARKS.md updated");
            Ok(())
        }
        [flag, file] if flag == "--scenario" => run_scenario(file).map(|_| ()),
        _ => Err("pico-sim takes only --scenario FILE".into()),
    }
}

/// The CI step: the CI scenario, nothing written.
pub fn ci() -> StepResult {
    run_scenario(CI_SCENARIO).map(|_| ())
}

/// Builds the release image, installs the harness and tests it, builds the
/// host; returns the image.
fn prepare() -> Result<PathBuf, String> {
    let pico = BOARDS
        .iter()
        .find(|b| b.dir == PICO_DIR)
        .ok_or("no Pico board")?;
    ensure_rustup_targets(&[pico.target])?;
    run_in(Path::new(PICO_DIR), "cargo", &["build", "--release"])?;
    run_in(
        Path::new(HARNESS),
        "npm",
        &["ci", "--no-audit", "--no-fund", "--loglevel=error"],
    )?;
    run_in(Path::new(HARNESS), "node", &["--test", "harness.test.mjs"])?;
    // Built before the clock starts: the limit is for the scenario.
    run("cargo", &["build", "--quiet", "-p", "isocket-host"])?;
    Ok(board_target_dir(PICO_DIR)
        .join(pico.target)
        .join("release")
        .join(pico.bin))
}

struct Figures {
    simulated_s: f64,
    wall_s: f64,
}

fn run_scenario(scenario: &str) -> Result<Figures, String> {
    let elf = prepare()?;
    let started = Instant::now();
    let mut child = Command::new("cargo")
        .args(["run", "--quiet", "-p", "isocket-host", "--", "pico"])
        .args(["--elf", &elf.display().to_string()])
        .args([
            "--harness",
            HARNESS,
            "--wiring",
            WIRING,
            "--scenario",
            scenario,
        ])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start isocket-host pico: {e}"))?;
    let stdout = child.stdout.take();
    let mut child = crate::KillOnDrop(child);
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut out) = stdout {
            let _ = std::io::Read::read_to_string(&mut out, &mut text);
        }
        text
    });
    let status = crate::wait_at_most(&mut child.0, WALL_LIMIT)?;
    let wall_s = started.elapsed().as_secs_f64();
    let text = reader.join().unwrap_or_default();
    print!("{text}");
    if !status.success() {
        return Err(format!("the Pico image failed {scenario} ({status})"));
    }
    let simulated_s = text
        .lines()
        .find_map(|l| l.strip_prefix("simulated: "))
        .and_then(|s| s.trim().strip_suffix(" s"))
        .and_then(|s| s.parse().ok())
        .ok_or("isocket-host pico reported no simulated time")?;
    Ok(Figures {
        simulated_s,
        wall_s,
    })
}
