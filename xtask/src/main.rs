//! `cargo xtask`: the project's check suite and maintenance tasks in one place.
//!
//! - `cargo xtask ci` runs every check CI runs, in order, stopping at the
//!   first failure, and ends with `N passed, M failed`.
//! - `cargo xtask fuzz [--seconds N | --minutes N]` runs every fuzz target
//!   and writes its table into RELIABILITY.md.
//! - `cargo xtask soak [--commands N] [--seeds A..B]` runs the AT-level soak
//!   once per seed and writes its table into RELIABILITY.md.
//! - `cargo xtask attacks` runs the attack suite and writes its table into
//!   RELIABILITY.md; `--check` (CI) runs the guarded attacks and checks the
//!   committed table shows what they do.
//! - `cargo xtask bench [--quick]` measures every figure of BENCHMARKS.md.
//! - `cargo xtask qemu` runs the QEMU firmware against `isocket-host e2e`.
//! - `cargo xtask pico-sim [--scenario FILE]` runs the Pico release image in
//!   rp2040js against `isocket-host pico`.
//! - `cargo xtask links` checks every relative link in the Markdown files.
//! - `cargo xtask wiring` draws the boards' wiring pictures from
//!   `examples/wiring.csv`.
//! - `cargo xtask playground` builds the browser playground into
//!   `target/playground/`; `--test` also drives it in headless Chromium.
//! - `cargo xtask crates-alone` builds each library crate as an integrator's
//!   only dependency, resolved afresh.
//!
//! It installs what it needs (rustup targets, the nightly toolchain for
//! cargo-fuzz, cargo-fuzz itself), so a fresh machine needs no setup.

mod attacks;
mod bench;
mod generated;
mod integrator;
mod links;
mod pico_sim;
mod playground;
mod reliability;
mod wiring;

use std::env;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus};
use std::thread;
use std::time::{Duration, Instant};

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
        name: "markdown links",
        run: links::check_markdown_links,
    },
    Step {
        name: "wiring",
        run: wiring::check,
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
        name: "doc -D warnings",
        run: doc,
    },
    Step {
        name: "scenarios (isocket-host script)",
        run: scenarios,
    },
    Step {
        name: "attacks (table up to date)",
        run: attacks::check,
    },
    Step {
        name: "no_std builds",
        run: no_std_builds,
    },
    Step {
        name: "library crates alone",
        run: integrator::library_crates_alone,
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
        name: "playground in Chromium",
        run: playground::test,
    },
    Step {
        name: "board builds",
        run: board_builds,
    },
    Step {
        name: "qemu end to end",
        run: qemu_end_to_end,
    },
    Step {
        name: "pico release image in rp2040js",
        run: pico_sim::ci,
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
        Some("bench") => match &args[1..] {
            [] => report(bench::bench(false)),
            [flag] if flag == "--quick" => report(bench::bench(true)),
            _ => usage("bench takes only --quick"),
        },
        Some("qemu") => report(qemu_end_to_end()),
        Some("attacks") => match &args[1..] {
            [] => report(attacks::write()),
            [flag] if flag == "--check" => report(attacks::check()),
            _ => usage("attacks takes only --check"),
        },
        Some("pico-sim") => report(pico_sim::main(&args[1..])),
        Some("links") => report(links::check_markdown_links()),
        Some("crates-alone") => report(integrator::library_crates_alone()),
        Some("playground") => match &args[1..] {
            [] => report(playground::build().map(|_| ())),
            [flag] if flag == "--test" => report(playground::test()),
            _ => usage("playground takes only --test"),
        },
        Some("wiring") => match &args[1..] {
            [] => report(wiring::generate()),
            [flag] if flag == "--check" => report(wiring::check()),
            _ => usage("wiring takes only --check"),
        },
        Some("fuzz") => match fuzz_duration(&args[1..]) {
            Ok(seconds) => report(reliability::fuzz(seconds, &command_line(&args))),
            Err(e) => usage(&e),
        },
        Some("soak") => match soak_options(&args[1..]) {
            Ok((commands, seeds)) => {
                report(reliability::soak(commands, seeds, &command_line(&args)))
            }
            Err(e) => usage(&e),
        },
        _ => usage("missing or unknown task"),
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("xtask: {problem}");
    eprintln!("usage: cargo xtask ci");
    eprintln!("       cargo xtask fuzz [--seconds N | --minutes N]");
    eprintln!("       cargo xtask soak [--commands N] [--seeds A..B]");
    eprintln!("       cargo xtask attacks [--check]");
    eprintln!("       cargo xtask qemu");
    eprintln!("       cargo xtask pico-sim [--scenario FILE]");
    eprintln!("       cargo xtask links");
    eprintln!("       cargo xtask crates-alone");
    eprintln!("       cargo xtask wiring [--check]");
    eprintln!("       cargo xtask playground [--test]");
    eprintln!("       cargo xtask bench [--quick]");
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
    run_env(dir, program, args, &[])
}

/// `run_in` with extra environment variables.
fn run_env(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> StepResult {
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
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

/// Crates outside the workspace, each its own workspace: the board and QEMU
/// firmware (their HALs' critical-section implementations conflict) and the
/// cargo-fuzz crates (built with nightly and sanitizer flags). fmt and clippy
/// cover them one by one; clippy builds each for its own target (the
/// crate's `.cargo/config.toml`).
fn standalone_crates() -> Vec<String> {
    let mut dirs: Vec<String> = BOARDS.iter().map(|b| b.dir.to_string()).collect();
    dirs.push(QEMU_DIR.into());
    for (dir, _, _) in reliability::FUZZ_TARGETS {
        let fuzz = format!("{dir}/fuzz");
        if !dirs.contains(&fuzz) {
            dirs.push(fuzz);
        }
    }
    dirs
}

fn fmt_check() -> StepResult {
    run("cargo", &["fmt", "--all", "--", "--check"])?;
    for dir in standalone_crates() {
        run_in(Path::new(&dir), "cargo", &["fmt", "--all", "--", "--check"])?;
    }
    Ok(())
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
    )?;
    let mut targets: Vec<&str> = BOARDS.iter().map(|b| b.target).collect();
    targets.push(QEMU_TARGET);
    ensure_rustup_targets(&targets)?;
    // One target directory for all of them: the proc macros and build
    // scripts they share are built once.
    let shared = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .unwrap_or_else(|| {
            env::current_dir()
                .unwrap_or_default()
                .join("target/standalone")
        });
    for dir in standalone_crates() {
        let started = Instant::now();
        let status = Command::new("cargo")
            .args(["clippy", "--quiet", "--", "-D", "warnings"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", &shared)
            .status()
            .map_err(|e| format!("cannot start cargo clippy in {dir}: {e}"))?;
        if !status.success() {
            return Err(format!(
                "`cargo clippy -- -D warnings` in {dir} failed ({status})"
            ));
        }
        println!(
            "clippy {dir}: ok ({:.1} s)",
            started.elapsed().as_secs_f32()
        );
    }
    Ok(())
}

fn test() -> StepResult {
    run("cargo", &["test", "--workspace"])
}

/// Every crate's docs build without a warning (broken or ambiguous links).
fn doc() -> StepResult {
    run_env(
        Path::new("."),
        "cargo",
        &["doc", "--workspace", "--no-deps", "--quiet"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )
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
    // On the engine alone, then through the device loop and the AT driver.
    for mode in [None, Some("--through-at")] {
        let mut args = vec!["run", "--quiet", "-p", "isocket-host", "--", "script"];
        args.extend(mode);
        args.extend(files.iter().map(String::as_str));
        run("cargo", &args)?;
    }
    Ok(())
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

/// The command as typed, for the table it writes: `cargo xtask <args>`.
fn command_line(args: &[String]) -> String {
    format!("cargo xtask {}", args.join(" "))
}

/// `[--commands N] [--seeds A..B]`: 10,000 commands, seeds 1..20 unless given.
fn soak_options(args: &[String]) -> Result<(u64, (u64, u64)), String> {
    let (mut commands, mut seeds) = (10_000, (1, 20));
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--commands" => {
                commands = value
                    .parse()
                    .map_err(|_| format!("`{value}` is not a whole number"))?;
            }
            "--seeds" => {
                let range = value.split_once("..").and_then(|(a, b)| {
                    Some((
                        a.parse::<u64>().ok()?,
                        b.trim_start_matches('=').parse().ok()?,
                    ))
                });
                seeds = range
                    .filter(|(a, b)| a <= b)
                    .ok_or_else(|| format!("`{value}` is not a seed range A..B"))?;
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok((commands, seeds))
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
    reliability::fuzz_smoke(CI_FUZZ_SECONDS)
}

/// A standalone board firmware project under `examples/` (outside the
/// workspace: the HALs' critical-section implementations conflict).
struct Board {
    dir: &'static str,
    target: &'static str,
    /// The binary's name (the package name).
    bin: &'static str,
    /// The footprint budget, if the board has one: (flash, static RAM) bytes.
    budget: Option<(u64, u64)>,
}

/// The footprint goal of SPEC §13 / issue 7 for the Cortex-M boards.
const FOOTPRINT_GOAL: (u64, u64) = (64 * 1024, 16 * 1024);

/// What the "board builds" step fails on today. Static RAM meets the goal
/// (about 15.4 KiB), so the goal is the limit; flash does not (about
/// 120 KiB, BENCHMARKS.md says why), so its limit is the measured size plus
/// headroom, to catch growth.
const FOOTPRINT_CEILING: (u64, u64) = (128 * 1024, FOOTPRINT_GOAL.1);

const BOARDS: &[Board] = &[
    Board {
        dir: "examples/rp2040-pico",
        target: "thumbv6m-none-eabi",
        bin: "isocket-rp2040-pico",
        budget: Some(FOOTPRINT_CEILING),
    },
    Board {
        dir: "examples/stm32f411-blackpill",
        target: "thumbv7em-none-eabihf",
        bin: "isocket-stm32f411-blackpill",
        budget: Some(FOOTPRINT_CEILING),
    },
    Board {
        dir: "examples/esp32c3-devkit",
        target: "riscv32imc-unknown-none-elf",
        bin: "isocket-esp32c3-devkit",
        budget: None,
    },
];

/// Board builds with a feature beyond the default image: built to prove
/// they compile, not held to the footprint budget (README of each board).
const FEATURE_BUILDS: &[(&str, &str)] = &[("examples/rp2040-pico", "usb")];

/// ELF sections whose bytes are stored in flash (`.data` as its load image;
/// ESP32's `.trap`/`.rwtext` are copied to IRAM at boot).
const FLASH_SECTIONS: &[&str] = &[
    ".vector_table",
    ".boot2",
    ".text",
    ".rodata",
    ".data",
    ".gnu.sgstubs",
    ".trap",
    ".rwtext",
    ".flash.appdesc",
];

/// ELF sections that take RAM before the stack (ESP32's `.stack` is the
/// rest of RAM reserved for the stack, not counted).
const RAM_SECTIONS: &[&str] = &[".data", ".bss", ".uninit", ".noinit", ".trap", ".rwtext"];

/// Builds every board firmware in release mode, prints its flash and static
/// RAM, and fails when a board with a budget exceeds it.
fn board_builds() -> StepResult {
    let targets: Vec<&str> = BOARDS.iter().map(|b| b.target).collect();
    ensure_rustup_targets(&targets)?;
    let mut over = Vec::new();
    for board in BOARDS {
        let (flash, ram) = board_footprint(board)?;
        println!(
            "board {:<30} flash {:>7} B ({:>5.1} KiB)  static RAM {:>6} B ({:>5.1} KiB)",
            board.dir,
            flash,
            kib(flash),
            ram,
            kib(ram)
        );
        if board.budget.is_some() && (flash > FOOTPRINT_GOAL.0 || ram > FOOTPRINT_GOAL.1) {
            println!(
                "      over the {:.0} KiB flash / {:.0} KiB RAM goal",
                kib(FOOTPRINT_GOAL.0),
                kib(FOOTPRINT_GOAL.1)
            );
        }
        if let Some((max_flash, max_ram)) = board.budget {
            if flash > max_flash || ram > max_ram {
                over.push(format!(
                    "{}: {flash} B flash / {ram} B RAM exceeds {max_flash} / {max_ram}",
                    board.dir
                ));
            }
        }
    }
    for (dir, feature) in FEATURE_BUILDS {
        run_in(
            Path::new(dir),
            "cargo",
            &["build", "--release", "--features", feature],
        )?;
        println!("board {dir:<30} with --features {feature}: builds");
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(over.join("; "))
    }
}

/// Builds a board's firmware in release and measures it: (flash, static RAM) bytes.
fn board_footprint(board: &Board) -> Result<(u64, u64), String> {
    ensure_rustup_targets(&[board.target])?;
    let size_tool = llvm_size()?;
    run_in(Path::new(board.dir), "cargo", &["build", "--release"])?;
    let elf = board_target_dir(board.dir)
        .join(board.target)
        .join("release")
        .join(board.bin);
    let elf = elf.display().to_string();
    let sections = output(&size_tool, &["-A", &elf])
        .ok_or_else(|| format!("`{size_tool} -A {elf}` failed"))?;
    Ok(footprint(&sections))
}

fn kib(bytes: u64) -> f64 {
    bytes as f64 / 1024.0
}

/// Where cargo puts the workspace's build: `CARGO_TARGET_DIR` if set, else `target/`.
fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from)
}

/// Where cargo puts a board's build: `CARGO_TARGET_DIR` if set, else its own `target/`.
fn board_target_dir(dir: &str) -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(shared) if shared.is_absolute() => shared,
        Some(relative) => Path::new(dir).join(relative),
        None => Path::new(dir).join("target"),
    }
}

/// `llvm-size` from the toolchain's llvm-tools component (installed if
/// missing): unlike Debian's binutils `size`, it knows every board's target.
fn llvm_size() -> Result<String, String> {
    let sysroot =
        output("rustc", &["--print", "sysroot"]).ok_or("`rustc --print sysroot` failed")?;
    let host = output("rustc", &["-vV"])
        .and_then(|v| {
            v.lines()
                .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        })
        .ok_or("`rustc -vV` names no host")?;
    let tool = Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(host.trim())
        .join("bin/llvm-size");
    if !tool.exists() {
        run("rustup", &["component", "add", "llvm-tools"])?;
    }
    Ok(tool.display().to_string())
}

/// (flash, static RAM) bytes from `llvm-size -A` output.
fn footprint(sections: &str) -> (u64, u64) {
    let mut flash = 0;
    let mut ram = 0;
    for line in sections.lines() {
        let mut fields = line.split_whitespace();
        let (Some(name), Some(size)) = (fields.next(), fields.next()) else {
            continue;
        };
        let Ok(size) = size.parse::<u64>() else {
            continue;
        };
        if FLASH_SECTIONS.contains(&name) {
            flash += size;
        }
        if RAM_SECTIONS.contains(&name) {
            ram += size;
        }
    }
    (flash, ram)
}

/// The QEMU firmware project (standalone, like the boards).
const QEMU_DIR: &str = "examples/qemu-mps2";
const QEMU_TARGET: &str = "thumbv7m-none-eabi";
const QEMU_BIN: &str = "isocket-qemu-mps2";
/// The whole conversation takes about 35 s (the power failure alone waits
/// out the engine's 30-s grace); past this, something hangs.
const QEMU_E2E_LIMIT: Duration = Duration::from_secs(240);

/// Boots the firmware in QEMU with its modem and console UARTs on two local
/// TCP ports and runs `isocket-host e2e` against them; QEMU is always killed.
fn qemu_end_to_end() -> StepResult {
    ensure_rustup_targets(&[QEMU_TARGET])?;
    ensure_qemu()?;
    run_in(Path::new(QEMU_DIR), "cargo", &["build", "--release"])?;
    // Built before the clock starts: the limit is for the conversation.
    run("cargo", &["build", "--quiet", "-p", "isocket-host"])?;
    let elf = board_target_dir(QEMU_DIR)
        .join(QEMU_TARGET)
        .join("release")
        .join(QEMU_BIN);
    let (modem, console) = (free_port()?, free_port()?);
    let serial = |port: u16| format!("tcp:127.0.0.1:{port},server=on,wait=on");
    let elf = elf.display().to_string();
    let qemu = Command::new("qemu-system-arm")
        .args([
            "-machine",
            "mps2-an385",
            "-display",
            "none",
            "-monitor",
            "none",
        ])
        .args(["-semihosting-config", "enable=on,target=native"])
        .args(["-kernel", &elf])
        .args(["-serial", &serial(modem), "-serial", &serial(console)])
        .spawn()
        .map_err(|e| format!("cannot start qemu-system-arm: {e}"))?;
    let _qemu = KillOnDrop(qemu);
    let (modem, console) = (format!("127.0.0.1:{modem}"), format!("127.0.0.1:{console}"));
    let host = Command::new("cargo")
        .args(["run", "--quiet", "-p", "isocket-host", "--", "e2e"])
        .args(["--modem", &modem, "--console", &console])
        .spawn()
        .map_err(|e| format!("cannot start isocket-host e2e: {e}"))?;
    let mut host = KillOnDrop(host);
    let status = wait_at_most(&mut host.0, QEMU_E2E_LIMIT)?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("isocket-host e2e against QEMU failed ({status})"))
    }
}

/// Installs QEMU with apt when `qemu-system-arm --version` fails (as root).
fn ensure_qemu() -> StepResult {
    if output("qemu-system-arm", &["--version"]).is_some() {
        return Ok(());
    }
    apt_install("qemu-system-arm")
}

/// Installs a Debian package (`apt-get update`, then `install -y`), as root.
fn apt_install(package: &str) -> StepResult {
    if output("id", &["-u"]).as_deref().map(str::trim) != Some("0") {
        return Err(format!(
            "{package} is missing: `apt-get install -y {package}` as root"
        ));
    }
    run("apt-get", &["update"])?;
    run_env(
        Path::new("."),
        "apt-get",
        &["install", "-y", package],
        &[("DEBIAN_FRONTEND", "noninteractive")],
    )
}

/// A local TCP port nobody listens on now (the OS picks it).
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// Waits for `child`, killing it after `limit`.
fn wait_at_most(child: &mut Child, limit: Duration) -> Result<ExitStatus, String> {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                return Err(format!("no result after {} s", limit.as_secs()));
            }
            Ok(None) => thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(format!("waiting for a child process: {e}")),
        }
    }
}

/// A child process that is killed when this goes out of scope, whatever happened.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
