//! The figures of RELIABILITY.md, each table written by the command that
//! measures it (named in the table's own block):
//!
//! - `cargo xtask fuzz [--seconds N | --minutes N]`: every cargo-fuzz target
//!   for N, one after another; executions and crashes per target.
//! - `cargo xtask soak [--commands N] [--seeds A..B]`: the AT-level soak
//!   (`examples/host/tests/at_soak.rs`) once per seed; lost and duplicated
//!   commands and the worst recovery per seed, read from the soak's own lines.
//!
//! A table is written only after every run in it produced its figures; a
//! run that cannot be read fails the command and leaves the table as it was.
//! A run that found a fault (a crash, a lost command) is written as such,
//! then the command fails.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::bench::{machine, today};
use crate::{StepResult, generated, run};

const RELIABILITY: &str = "RELIABILITY.md";

/// Fuzz targets: (crate directory holding `fuzz/`, target name, what it feeds).
pub const FUZZ_TARGETS: &[(&str, &str, &str)] = &[
    (
        "isocket-proto",
        "parse_command",
        "SMS framing and command parsing; canonical round trip and GSM-7 replies asserted",
    ),
    (
        "isocket-modem",
        "at_codec",
        "the AT line/URC codec, arbitrary byte chunks",
    ),
    (
        "isocket-modem",
        "pdu_decode",
        "the SMS PDU decoder (DELIVER, SUBMIT, status reports)",
    ),
    (
        "isocket-storage",
        "load",
        "the NorFlash store loader on arbitrary flash images",
    ),
    (
        "isocket-storage",
        "bit_flip",
        "a save history on the NorFlash store, then one flipped bit: the last values load",
    ),
    (
        "examples/host",
        "scenario",
        "the `.scn` parser; files that parse also run on the simulator",
    ),
];

/// One target's run.
struct FuzzRun {
    target: String,
    feeds: &'static str,
    execs: u64,
    seconds: u64,
    /// The crashing input libFuzzer kept, if it crashed.
    crash: Option<String>,
}

fn ensure_fuzz_tools() -> StepResult {
    if crate::output("rustup", &["run", "nightly", "rustc", "--version"]).is_none() {
        run(
            "rustup",
            &["toolchain", "install", "nightly", "--profile", "minimal"],
        )?;
    }
    if crate::output("cargo", &["fuzz", "--version"]).is_none() {
        run("cargo", &["install", "--locked", "cargo-fuzz"])?;
    }
    Ok(())
}

/// Runs every target for `seconds`; fails on a crash or a run whose
/// execution count libFuzzer did not print.
fn fuzz_targets(seconds: u64) -> Result<Vec<FuzzRun>, String> {
    ensure_fuzz_tools()?;
    let max_time = format!("-max_total_time={seconds}");
    let mut runs = Vec::new();
    for (dir, target, feeds) in FUZZ_TARGETS {
        // New inputs go to a scratch corpus; the committed seeds stay as they are.
        let scratch = format!("fuzz/target/corpus/{target}");
        let seeds = format!("fuzz/corpus/{target}");
        std::fs::create_dir_all(Path::new(dir).join(&scratch))
            .map_err(|e| format!("cannot create {dir}/{scratch}: {e}"))?;
        // Built first, so the fuzzing time is the target's own.
        crate::run_in(
            Path::new(dir),
            "cargo",
            &["+nightly", "fuzz", "build", target],
        )?;
        let args = [
            "+nightly",
            "fuzz",
            "run",
            target,
            &scratch,
            &seeds,
            "--",
            &max_time,
            "-print_final_stats=1",
        ];
        println!("==> (cd {dir} && cargo {})", args.join(" "));
        let started = Instant::now();
        let out = Command::new("cargo")
            .args(args)
            .current_dir(dir)
            .output()
            .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
        let took = started.elapsed().as_secs();
        let log = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = log.lines().rev().take(12).collect();
        for line in tail.iter().rev() {
            println!("    {line}");
        }
        let stat = |name: &str| {
            log.lines()
                .find_map(|l| l.strip_prefix(&format!("stat::{name}:")))
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let crash = (!out.status.success()).then(|| {
            log.lines()
                .find_map(|l| l.split("Test unit written to ").nth(1))
                .map_or_else(|| format!("exit {}", out.status), str::to_owned)
        });
        let execs = match (stat("number_of_executed_units"), &crash) {
            (Some(n), _) => n,
            (None, Some(_)) => 0,
            (None, None) => {
                return Err(format!(
                    "fuzz {dir}/{target} printed no stat::number_of_executed_units"
                ));
            }
        };
        println!("fuzz {dir}/{target}: {execs} runs in {took} s, crash: {crash:?}");
        runs.push(FuzzRun {
            target: format!("{dir}/{target}"),
            feeds,
            execs,
            seconds: stat("total_run_time_seconds").unwrap_or(took),
            crash,
        });
    }
    Ok(runs)
}

/// `cargo xtask ci`'s bounded run: every target, nothing written.
pub fn fuzz_smoke(seconds: u64) -> StepResult {
    let runs = fuzz_targets(seconds)?;
    crashes(&runs)
}

fn crashes(runs: &[FuzzRun]) -> StepResult {
    let crashed: Vec<String> = runs
        .iter()
        .filter_map(|r| Some(format!("{} ({})", r.target, r.crash.as_ref()?)))
        .collect();
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzzing crashed: {}", crashed.join("; ")))
    }
}

/// `cargo xtask fuzz …`: runs every target and writes the table.
pub fn fuzz(seconds: u64, command: &str) -> StepResult {
    let runs = fuzz_targets(seconds)?;
    let nightly = crate::output("rustc", &["+nightly", "--version"]).unwrap_or_default();
    let mut body = String::new();
    let _ = writeln!(
        body,
        "Generated by `{command}` on {}, {}; {}: every target for {seconds} s, one after \
         another, libFuzzer with AddressSanitizer, starting from the committed seeds. \
         Executions are libFuzzer's own count (`-print_final_stats=1`).\n",
        today(),
        machine(),
        nightly.trim()
    );
    let _ = writeln!(
        body,
        "| target | what it feeds | executions | seconds | executions/s | crashes |"
    );
    let _ = writeln!(body, "|---|---|---|---|---|---|");
    for r in &runs {
        let rate = r.execs / r.seconds.max(1);
        let crashes = r
            .crash
            .as_ref()
            .map_or("0".into(), |c| format!("**1** (`{c}`)"));
        let _ = writeln!(
            body,
            "| `{}` | {} | {} | {} | {} | {crashes} |",
            r.target,
            r.feeds,
            thousands(r.execs),
            r.seconds,
            thousands(rate)
        );
    }
    generated::write_block(RELIABILITY, "fuzz", "cargo xtask fuzz", &body, false)?;
    crashes(&runs)
}

/// One seed of the AT-level soak, as its lines report it.
struct SoakRun {
    seed: u64,
    commands: u64,
    intact: u64,
    executed: u64,
    lost: u64,
    duplicated: u64,
    garbled_senders: u64,
    wiped: u64,
    power_cycles: u64,
    reregistration_s: f64,
    longest_answer_s: f64,
    virtual_h: f64,
    wall_s: f64,
    passed: bool,
}

/// The word after `key` in `text`, without a trailing comma.
fn after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let (_, rest) = text.split_once(key)?;
    Some(rest.split_whitespace().next()?.trim_end_matches(','))
}

fn read_soak(seed: u64, text: &str, passed: bool) -> Result<SoakRun, String> {
    let int = |key: &str| {
        after(text, key)
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| format!("the AT soak (seed {seed}) printed no `{key}N`"))
    };
    let real = |key: &str| {
        after(text, key)
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| format!("the AT soak (seed {seed}) printed no `{key}X`"))
    };
    let garbled = after(text, "handed out with a garbled sender ")
        .ok_or_else(|| format!("the AT soak (seed {seed}) printed no garbled senders"))?;
    let garbled_senders = if garbled == "[]" {
        0
    } else {
        text.split_once("handed out with a garbled sender ")
            .and_then(|(_, rest)| rest.lines().next())
            .map_or(1, |list| list.matches(',').count() as u64 + 1)
    };
    Ok(SoakRun {
        seed,
        commands: int("commands sent ")?,
        intact: int("delivered intact ")?,
        executed: int("executed ")?,
        lost: int("lost ")?,
        duplicated: int("duplicated ")?,
        garbled_senders,
        wiped: int("wiped unread by a retargeted delete ")?,
        power_cycles: int("driver power cycles ")?,
        reregistration_s: real("re-registration max ")?,
        longest_answer_s: real("longest answer ")?,
        virtual_h: real("virtual time ")?,
        wall_s: real("wall ")?,
        passed,
    })
}

/// `cargo xtask soak [--commands N] [--seeds A..B]`: the AT-level soak once
/// per seed, in release, and its table.
pub fn soak(commands: u64, seeds: (u64, u64), command: &str) -> StepResult {
    let test = [
        "test",
        "--quiet",
        "--release",
        "-p",
        "isocket-host",
        "--test",
        "at_soak",
    ];
    let mut build = test.to_vec();
    build.push("--no-run");
    run("cargo", &build)?;
    let mut runs = Vec::new();
    let mut mix = String::new();
    for seed in seeds.0..=seeds.1 {
        let mut args = test.to_vec();
        args.extend(["--", "--nocapture"]);
        println!(
            "==> ISOCKET_AT_SOAK_SEED={seed} ISOCKET_AT_SOAK_COMMANDS={commands} cargo {}",
            args.join(" ")
        );
        let out = Command::new("cargo")
            .args(&args)
            .env("ISOCKET_AT_SOAK_SEED", seed.to_string())
            .env("ISOCKET_AT_SOAK_COMMANDS", commands.to_string())
            .output()
            .map_err(|e| format!("cannot start cargo test: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let soak_lines: String = text
            .lines()
            .skip_while(|l| !l.starts_with("AT soak, seed"))
            .take(8)
            .collect::<Vec<_>>()
            .join("\n");
        println!("{soak_lines}");
        if !out.status.success() {
            eprint!("{}", String::from_utf8_lossy(&out.stderr));
        }
        let run = read_soak(seed, &soak_lines, out.status.success())?;
        if run.commands != commands {
            return Err(format!(
                "the AT soak (seed {seed}) sent {} commands, not {commands}",
                run.commands
            ));
        }
        if mix.is_empty() {
            mix = soak_lines
                .split_once("line faults per mille ")
                .and_then(|(_, rest)| rest.lines().next())
                .unwrap_or_default()
                .to_string();
        }
        runs.push(run);
    }
    write_soak_table(&runs, &mix, command)?;
    let failed: Vec<String> = runs
        .iter()
        .filter(|r| !r.passed)
        .map(|r| r.seed.to_string())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the AT soak failed its checks for seeds {}",
            failed.join(", ")
        ))
    }
}

fn write_soak_table(runs: &[SoakRun], mix: &str, command: &str) -> StepResult {
    let mut body = String::new();
    let total: u64 = runs.iter().map(|r| r.commands).sum();
    let _ = writeln!(
        body,
        "Generated by `{command}` on {}, {}: `cargo test --release -p isocket-host --test \
         at_soak` once per seed (`ISOCKET_AT_SOAK_SEED`, `ISOCKET_AT_SOAK_COMMANDS`), \
         {} commands in all; line faults per mille {mix}, plus the reboots, lost `OK`s, \
         `+CMS ERROR` spells and network losses described above. Recovery is the time \
         from a fault's end to the network shown registered and the driver `Ready` \
         (the soak's limit: a minute, plus after a reboot the SIM800's own start and \
         the message list's longer timeout).\n",
        today(),
        machine(),
        thousands(total)
    );
    let _ = writeln!(
        body,
        "| seed | commands | delivered intact | executed | lost | duplicated | garbled senders | wiped by a retargeted delete | driver power cycles | worst recovery | longest command → reply | virtual time | wall time | checks |"
    );
    let _ = writeln!(body, "|{}", "---|".repeat(14));
    let row = |b: &mut String, seed: &str, r: &SoakRun, checks: &str| {
        let _ = writeln!(
            b,
            "| {seed} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} s | {:.0} s | {:.1} h | {:.1} s | {checks} |",
            thousands(r.commands),
            thousands(r.intact),
            thousands(r.executed),
            r.lost,
            r.duplicated,
            r.garbled_senders,
            r.wiped,
            thousands(r.power_cycles),
            r.reregistration_s,
            r.longest_answer_s,
            r.virtual_h,
            r.wall_s
        );
    };
    for r in runs {
        row(
            &mut body,
            &r.seed.to_string(),
            r,
            if r.passed { "pass" } else { "**FAIL**" },
        );
    }
    if runs.len() > 1 {
        let max = |f: fn(&SoakRun) -> f64| runs.iter().map(f).fold(0.0, f64::max);
        let all = SoakRun {
            seed: 0,
            commands: total,
            intact: runs.iter().map(|r| r.intact).sum(),
            executed: runs.iter().map(|r| r.executed).sum(),
            lost: runs.iter().map(|r| r.lost).sum(),
            duplicated: runs.iter().map(|r| r.duplicated).sum(),
            garbled_senders: runs.iter().map(|r| r.garbled_senders).sum(),
            wiped: runs.iter().map(|r| r.wiped).sum(),
            power_cycles: runs.iter().map(|r| r.power_cycles).sum(),
            reregistration_s: max(|r| r.reregistration_s),
            longest_answer_s: max(|r| r.longest_answer_s),
            virtual_h: runs.iter().map(|r| r.virtual_h).sum(),
            wall_s: runs.iter().map(|r| r.wall_s).sum(),
            passed: runs.iter().all(|r| r.passed),
        };
        let checks = if all.passed { "all pass" } else { "**FAIL**" };
        let label = format!("**all {}** (sums; worst and longest: max)", runs.len());
        row(&mut body, &label, &all, checks);
    }
    generated::write_block(RELIABILITY, "soak", "cargo xtask soak", &body, false)
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
