//! `cargo xtask`: the project's check suite and maintenance tasks in one place.
//!
//! - `cargo xtask ci` runs every check CI runs, in order, stopping at the
//!   first failure, and ends with `N passed, M failed`.
//! - `cargo xtask fuzz [--seconds N | --minutes N]` runs every fuzz target.
//!
//! It installs what it needs (rustup targets, the nightly toolchain for
//! cargo-fuzz, cargo-fuzz itself), so a fresh machine needs no setup.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Library crates: each must build for every bare-metal target with default
/// features off, and must not pull `alloc` or `std` in that configuration.
const LIBRARY_CRATES: &[&str] = &[
    "isocket-proto",
    "isocket-engine",
    "isocket-modem",
    "isocket-sensors",
    "isocket-storage",
];

/// Bare-metal targets of the boards we support (RP2040 / Cortex-M0+, ESP32-C3).
const NO_STD_TARGETS: &[&str] = &["thumbv6m-none-eabi", "riscv32imc-unknown-none-elf"];

/// Fuzz targets: (crate directory holding `fuzz/`, target name).
const FUZZ_TARGETS: &[(&str, &str)] = &[
    ("isocket-proto", "parse_command"),
    ("isocket-modem", "at_codec"),
    ("isocket-modem", "pdu_decode"),
    ("isocket-storage", "load"),
];

/// How long each fuzz target runs in `cargo xtask ci`.
const CI_FUZZ_SECONDS: u64 = 20;

type StepResult = Result<(), String>;

struct Step {
    name: &'static str,
    run: fn() -> StepResult,
}

const CI_STEPS: &[Step] = &[
    Step {
        name: "fmt --check",
        run: fmt_check,
    },
    Step {
        name: "clippy -D warnings",
        run: clippy,
    },
    Step {
        name: "test (unit, integration, doc)",
        run: test,
    },
    Step {
        name: "scenarios (isocket-host script)",
        run: scenarios,
    },
    Step {
        name: "no_std builds",
        run: no_std_builds,
    },
    Step {
        name: "publish --dry-run",
        run: publish_dry_run,
    },
    Step {
        name: "bench --no-run",
        run: bench_no_run,
    },
    Step {
        name: "fuzz smoke",
        run: fuzz_smoke,
    },
];

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    if let Err(e) = env::set_current_dir(workspace_root()) {
        eprintln!("xtask: cannot enter the workspace root: {e}");
        return ExitCode::FAILURE;
    }
    match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("fuzz") => match fuzz_duration(&args[1..]) {
            Ok(seconds) => report(fuzz_all(seconds)),
            Err(e) => usage(&e),
        },
        _ => usage("missing or unknown task"),
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("xtask: {problem}");
    eprintln!("usage: cargo xtask ci");
    eprintln!("       cargo xtask fuzz [--seconds N | --minutes N]");
    ExitCode::from(2)
}

fn report(result: StepResult) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn ci() -> ExitCode {
    let (mut passed, mut failed) = (0, 0);
    for step in CI_STEPS {
        println!("==> {}", step.name);
        let started = Instant::now();
        let result = (step.run)();
        let took = started.elapsed().as_secs_f32();
        match result {
            Ok(()) => {
                passed += 1;
                println!("ci step {:<32} ok      ({took:.1} s)", step.name);
            }
            Err(e) => {
                failed += 1;
                println!("ci step {:<32} FAILED  ({took:.1} s): {e}", step.name);
                break;
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn workspace_root() -> PathBuf {
    let manifest = env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    manifest
        .and_then(|dir| dir.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs `program args…`, inheriting stdout/stderr; fails on a non-zero exit.
fn run(program: &str, args: &[&str]) -> StepResult {
    run_in(Path::new("."), program, args)
}

fn run_in(dir: &Path, program: &str, args: &[&str]) -> StepResult {
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .status()
        .map_err(|e| format!("cannot start `{program}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// Runs a command and returns its stdout, or `None` if it could not run or failed.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn fmt_check() -> StepResult {
    run("cargo", &["fmt", "--all", "--", "--check"])
}

fn clippy() -> StepResult {
    run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )
}

fn test() -> StepResult {
    run("cargo", &["test", "--workspace"])
}

/// The project's scenario files, through the same runner users call.
const SCENARIO_DIR: &str = "examples/host/scenarios";

fn scenarios() -> StepResult {
    let entries =
        std::fs::read_dir(SCENARIO_DIR).map_err(|e| format!("cannot list {SCENARIO_DIR}: {e}"))?;
    let mut files: Vec<String> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "scn"))
        .map(|path| path.display().to_string())
        .collect();
    files.sort();
    let mut args = vec!["run", "--quiet", "-p", "isocket-host", "--", "script"];
    args.extend(files.iter().map(String::as_str));
    run("cargo", &args)
}

/// Every library crate packages and builds as crates.io would see it; one
/// invocation resolves the crates' dependencies on each other locally.
fn publish_dry_run() -> StepResult {
    let mut args = vec!["publish", "--dry-run", "--allow-dirty", "--quiet"];
    for krate in LIBRARY_CRATES {
        args.extend(["-p", krate]);
    }
    run("cargo", &args)
}

fn bench_no_run() -> StepResult {
    run("cargo", &["bench", "--workspace", "--no-run"])
}

fn ensure_rustup_targets(targets: &[&str]) -> StepResult {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    let missing: Vec<&str> = targets
        .iter()
        .copied()
        .filter(|t| !installed.lines().any(|line| line.trim() == *t))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut args = vec!["target", "add"];
    args.extend(missing);
    run("rustup", &args)
}

fn no_std_builds() -> StepResult {
    ensure_rustup_targets(NO_STD_TARGETS)?;
    for target in NO_STD_TARGETS {
        let mut args = vec!["build", "--no-default-features", "--target", target];
        for krate in LIBRARY_CRATES {
            args.extend(["-p", krate]);
        }
        run("cargo", &args)?;
        for krate in LIBRARY_CRATES {
            forbid_alloc_and_std(krate, target)?;
        }
    }
    Ok(())
}

/// A no_std build must not quietly enable `alloc` or `std` on any dependency.
fn forbid_alloc_and_std(krate: &str, target: &str) -> StepResult {
    let tree = output(
        "cargo",
        &[
            "tree",
            "-p",
            krate,
            "--no-default-features",
            "--target",
            target,
            "-e",
            "features",
            "--edges",
            "normal",
            "--prefix",
            "none",
        ],
    )
    .ok_or_else(|| format!("`cargo tree -p {krate}` failed"))?;
    let offending: Vec<&str> = tree
        .lines()
        .filter(|line| line.contains("feature \"alloc\"") || line.contains("feature \"std\""))
        .collect();
    if offending.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{krate} on {target} enables alloc/std: {}",
            offending.join("; ")
        ))
    }
}

fn fuzz_duration(args: &[String]) -> Result<u64, String> {
    match args {
        [] => Ok(CI_FUZZ_SECONDS),
        [flag, n] => {
            let n: u64 = n
                .parse()
                .map_err(|_| format!("`{n}` is not a whole number"))?;
            match flag.as_str() {
                "--seconds" => Ok(n),
                "--minutes" => Ok(n * 60),
                other => Err(format!("unknown option `{other}`")),
            }
        }
        _ => Err("expected --seconds N or --minutes N".into()),
    }
}

fn fuzz_smoke() -> StepResult {
    fuzz_all(CI_FUZZ_SECONDS)
}

fn ensure_fuzz_tools() -> StepResult {
    if output("rustup", &["run", "nightly", "rustc", "--version"]).is_none() {
        run(
            "rustup",
            &["toolchain", "install", "nightly", "--profile", "minimal"],
        )?;
    }
    if output("cargo", &["fuzz", "--version"]).is_none() {
        run("cargo", &["install", "--locked", "cargo-fuzz"])?;
    }
    Ok(())
}

fn fuzz_all(seconds: u64) -> StepResult {
    ensure_fuzz_tools()?;
    let max_time = format!("-max_total_time={seconds}");
    for (dir, target) in FUZZ_TARGETS {
        // New inputs go to a scratch corpus; the committed seeds stay as they are.
        let scratch = format!("fuzz/target/corpus/{target}");
        let seeds = format!("fuzz/corpus/{target}");
        std::fs::create_dir_all(Path::new(dir).join(&scratch))
            .map_err(|e| format!("cannot create {dir}/{scratch}: {e}"))?;
        let started = Instant::now();
        let args = [
            "+nightly", "fuzz", "run", target, &scratch, &seeds, "--", &max_time,
        ];
        run_in(Path::new(dir), "cargo", &args)?;
        let took = started.elapsed().as_secs();
        println!("fuzz {dir}/{target}: no crash in {seconds} s ({took} s with the build)");
    }
    Ok(())
}
