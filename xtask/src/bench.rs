//! `cargo xtask bench [--quick]`: every figure of the project, each measured
//! in the same run as its baseline, printed as
//! `figure <name> <value> <unit> goal <op><number> PASS|MISS`, and written
//! into the generated summary at the top of BENCHMARKS.md (the detailed,
//! hand-written sections below it stay as they are).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::{BOARDS, StepResult, board_footprint, output, run};

const BENCHMARKS: &str = "BENCHMARKS.md";
const BEGIN: &str = "<!-- figures:begin (cargo xtask bench writes this block) -->";
const END: &str = "<!-- figures:end -->";

/// A goal: the value must stay at or below, or at or above, a bound.
#[derive(Clone, Copy)]
enum Goal {
    AtMost(f64),
    AtLeast(f64),
}

struct Figure {
    name: String,
    value: f64,
    unit: &'static str,
    goal: Goal,
    command: String,
}

impl Figure {
    fn passes(&self) -> bool {
        match self.goal {
            Goal::AtMost(bound) => self.value <= bound,
            Goal::AtLeast(bound) => self.value >= bound,
        }
    }

    fn goal_text(&self) -> String {
        match self.goal {
            Goal::AtMost(b) => format!("<={}", number(b)),
            Goal::AtLeast(b) => format!(">={}", number(b)),
        }
    }

    /// `figure <name> <value> <unit> goal <op><number> PASS|MISS`
    fn line(&self) -> String {
        let verdict = if self.passes() { "PASS" } else { "MISS" };
        format!(
            "figure {} {} {} goal {} {verdict}",
            self.name,
            number(self.value),
            self.unit,
            self.goal_text()
        )
    }
}

/// At most two decimals, no trailing zeros: `3.1`, `2.04`, `50000`.
fn number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The goal of each peer ratio the benches print (issue 8's table).
fn ratio_goal(name: &str) -> Option<Goal> {
    Some(match name {
        "parse-vs-uppercase" => Goal::AtMost(4.0),
        "at-ingest-vs-atat" => Goal::AtLeast(2.0),
        "pdu-decode-vs-sms-pdu-decoder" => Goal::AtLeast(2.0),
        "field-parse-vs-at-commands" => Goal::AtLeast(1.5),
        _ => return None,
    })
}

/// Runs a command, echoing what it prints, and returns its standard output.
fn capture(program: &str, args: &[&str]) -> Result<String, String> {
    capture_in(Path::new("."), program, args)
}

/// [`capture`] in directory `dir`.
fn capture_in(dir: &Path, program: &str, args: &[&str]) -> Result<String, String> {
    println!("==> {program} {}", args.join(" "));
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot start `{program}`: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    print!("{text}");
    if out.status.success() {
        Ok(text)
    } else {
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        Err(format!(
            "`{program} {}` failed ({})",
            args.join(" "),
            out.status
        ))
    }
}

/// The criterion benches: their `ratio <name> <value> x (...)` lines.
fn peer_ratios(quick: bool) -> Result<Vec<Figure>, String> {
    let mut figures = Vec::new();
    for bench in ["proto_parse", "modem"] {
        let mut args = vec![
            "bench",
            "--quiet",
            "-p",
            "isocket-benches",
            "--bench",
            bench,
            "--",
        ];
        if quick {
            args.extend(["--warm-up-time", "1", "--measurement-time", "2"]);
        }
        let text = capture("cargo", &args)?;
        for line in text.lines() {
            let mut words = line.split_whitespace();
            let (Some("ratio"), Some(name), Some(value)) =
                (words.next(), words.next(), words.next())
            else {
                continue;
            };
            let (Some(goal), Ok(value)) = (ratio_goal(name), value.parse::<f64>()) else {
                continue;
            };
            figures.push(Figure {
                name: name.to_string(),
                value,
                unit: "x",
                goal,
                command: format!("cargo {}", args.join(" ")),
            });
        }
    }
    Ok(figures)
}

/// Instructions per command SMS, engine plus codec, counted by callgrind:
/// the same on any machine load.
fn instructions_per_sms() -> Result<Figure, String> {
    if output("valgrind", &["--version"]).is_none() {
        run("apt-get", &["install", "-y", "valgrind"])?;
    }
    run(
        "cargo",
        &[
            "build",
            "--quiet",
            "--release",
            "-p",
            "isocket-benches",
            "--bin",
            "sms-cost",
        ],
    )?;
    let binary = Path::new("target/release/sms-cost").display().to_string();
    const SMS: u64 = 150;
    let mut totals = Vec::new();
    for count in [0, SMS] {
        let out_file = std::env::temp_dir().join(format!("isocket-callgrind-{count}"));
        let out_arg = format!("--callgrind-out-file={}", out_file.display());
        let args = [
            "--tool=callgrind",
            out_arg.as_str(),
            binary.as_str(),
            &count.to_string(),
        ];
        Command::new("valgrind")
            .args(args)
            .output()
            .map_err(|e| format!("cannot start valgrind: {e}"))?;
        let profile = std::fs::read_to_string(&out_file).map_err(|e| format!("callgrind: {e}"))?;
        let total = profile
            .lines()
            .find_map(|l| {
                l.strip_prefix("summary:")
                    .or_else(|| l.strip_prefix("totals:"))
            })
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .ok_or("callgrind wrote no total")?;
        totals.push(total);
    }
    let (base, loaded) = (
        totals.first().copied().unwrap_or(0),
        totals.last().copied().unwrap_or(0),
    );
    Ok(Figure {
        name: "instructions-per-command-sms".into(),
        value: loaded.saturating_sub(base) as f64 / SMS as f64,
        unit: "instructions",
        goal: Goal::AtMost(50_000.0),
        command: format!("valgrind --tool=callgrind {binary} {{0,{SMS}}}"),
    })
}

/// Simulated device-days per second: the soak's own report.
fn soak_speed() -> Result<Figure, String> {
    let args = [
        "test",
        "--quiet",
        "--release",
        "-p",
        "isocket-host",
        "--test",
        "soak",
        "--",
        "--nocapture",
    ];
    let text = capture("cargo", &args)?;
    let value = text
        .lines()
        .find_map(|l| {
            l.split(" = ")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse::<f64>()
                .ok()
        })
        .ok_or("the soak printed no speed")?;
    Ok(Figure {
        name: "simulated-device-days-per-second".into(),
        value,
        unit: "days/s",
        goal: Goal::AtLeast(70.0),
        command: format!("cargo {}", args.join(" ")),
    })
}

/// Flash and static RAM of the Cortex-M boards, in KiB.
fn footprints() -> Result<Vec<Figure>, String> {
    let mut figures = Vec::new();
    for board in BOARDS.iter().filter(|b| b.budget.is_some()) {
        let (flash, ram) = board_footprint(board)?;
        let short = board.dir.trim_start_matches("examples/");
        let command = format!(
            "(cd {} && cargo build --release) && llvm-size -A",
            board.dir
        );
        for (what, bytes, goal) in [("flash", flash, 64.0), ("static-ram", ram, 16.0)] {
            figures.push(Figure {
                name: format!("{short}-{what}"),
                value: bytes as f64 / 1024.0,
                unit: "KiB",
                goal: Goal::AtMost(goal),
                command: command.clone(),
            });
        }
    }
    Ok(figures)
}

/// The machine, as BENCHMARKS.md records it.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                l.strip_prefix("model name")?
                    .split(':')
                    .nth(1)
                    .map(str::trim)
                    .map(String::from)
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let rustc = output("rustc", &["--version"]).unwrap_or_default();
    format!("{cores} cores ({cpu}), {}", rustc.trim())
}

fn today() -> String {
    output("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
        .map_or_else(|| "unknown date".into(), |d| d.trim().to_string())
}

/// The largest functions and crates of the first budgeted board's firmware
/// (RP2040), from `cargo bloat` (installed if missing), as Markdown.
fn bloat() -> Result<String, String> {
    if output("cargo", &["bloat", "--version"]).is_none() {
        run("cargo", &["install", "--locked", "cargo-bloat"])?;
    }
    let board = BOARDS
        .iter()
        .find(|b| b.budget.is_some())
        .ok_or("no budgeted board")?;
    let dir = Path::new(board.dir);
    let functions = capture_in(dir, "cargo", &["bloat", "--release", "-n", "15"])?;
    let crates = capture_in(
        dir,
        "cargo",
        &["bloat", "--release", "--crates", "-n", "12"],
    )?;
    // cargo bloat's own progress lines go to stderr; keep the tables.
    let table = |text: &str| {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    Ok(format!(
        "### Largest contributors to {} flash (`cargo bloat`)\n\n\
         `(cd {} && cargo bloat --release -n 15)`:\n\n```\n{}\n```\n\n\
         `(cd {} && cargo bloat --release --crates -n 12)`:\n\n```\n{}\n```\n",
        board.bin,
        board.dir,
        table(&functions),
        board.dir,
        table(&crates)
    ))
}

/// Replaces the generated block of BENCHMARKS.md (or puts one under its title).
fn write_summary(figures: &[Figure], bloat: &str, quick: bool) -> StepResult {
    let mut block = String::new();
    let _ = writeln!(block, "{BEGIN}");
    let _ = writeln!(block, "## Summary\n");
    let _ = writeln!(
        block,
        "Generated by `cargo xtask bench{}` on {}, {}. Each ratio is measured in the same run as its baseline.\n",
        if quick { " --quick" } else { "" },
        today(),
        machine()
    );
    let _ = writeln!(block, "| figure | value | goal | verdict | command |");
    let _ = writeln!(block, "|---|---|---|---|---|");
    for f in figures {
        let verdict = if f.passes() { "PASS" } else { "**MISS**" };
        let _ = writeln!(
            block,
            "| {} | {} {} | {} | {verdict} | `{}` |",
            f.name,
            number(f.value),
            f.unit,
            f.goal_text(),
            f.command
        );
    }
    let _ = write!(block, "\n{bloat}{END}");
    let text = std::fs::read_to_string(BENCHMARKS).map_err(|e| format!("{BENCHMARKS}: {e}"))?;
    let updated = match (text.find(BEGIN), text.find(END)) {
        (Some(a), Some(b)) if a < b => format!("{}{block}{}", &text[..a], &text[b + END.len()..]),
        _ => match text.split_once('\n') {
            Some((title, rest)) => format!("{title}\n\n{block}\n{rest}"),
            None => format!("{text}\n\n{block}\n"),
        },
    };
    std::fs::write(BENCHMARKS, updated).map_err(|e| format!("{BENCHMARKS}: {e}"))
}

/// `cargo xtask bench [--quick]`.
pub fn bench(quick: bool) -> StepResult {
    let mut figures = peer_ratios(quick)?;
    figures.push(instructions_per_sms()?);
    figures.push(soak_speed()?);
    figures.extend(footprints()?);
    let bloat = bloat()?;
    println!();
    for figure in &figures {
        println!("{}", figure.line());
    }
    write_summary(&figures, &bloat, quick)
}
