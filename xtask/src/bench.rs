//! `cargo xtask bench [--quick]`: every figure of the project, each measured
//! in the same run as its baseline, printed as
//! `figure <name> <value> <unit> goal <op><number> PASS|MISS`, and written
//! into the generated summary at the top of BENCHMARKS.md (the detailed,
//! hand-written sections below it stay as they are).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::{BOARDS, StepResult, board_footprint, generated, output, run};

const BENCHMARKS: &str = "BENCHMARKS.md";

/// A goal: the value must stay at or below, or at or above, a bound; or a
/// figure reported without one.
#[derive(Clone, Copy)]
enum Goal {
    AtMost(f64),
    AtLeast(f64),
    None,
}

struct Figure {
    name: String,
    value: f64,
    unit: &'static str,
    goal: Goal,
    command: String,
}

impl Figure {
    /// The verdict, from the unrounded value.
    fn passes(&self) -> bool {
        passes(self.value, self.goal)
    }

    fn verdict(&self) -> &'static str {
        match (self.goal, self.passes()) {
            (Goal::None, _) => "n/a",
            (_, true) => "PASS",
            (_, false) => "MISS",
        }
    }

    fn goal_text(&self) -> String {
        match self.goal {
            Goal::AtMost(b) => format!("<={}", number(b, Goal::None)),
            Goal::AtLeast(b) => format!(">={}", number(b, Goal::None)),
            Goal::None => "none".into(),
        }
    }

    /// The value as shown: rounded (see [`number`]).
    fn shown(&self) -> String {
        number(self.value, self.goal)
    }

    /// `figure <name> <shown> <unit> (unrounded <value>) goal <op><number> PASS|MISS|n/a`
    fn line(&self) -> String {
        format!(
            "figure {} {} {} (unrounded {}) goal {} {}",
            self.name,
            self.shown(),
            self.unit,
            self.value,
            self.goal_text(),
            self.verdict()
        )
    }
}

fn passes(value: f64, goal: Goal) -> bool {
    match goal {
        Goal::AtMost(bound) => value <= bound,
        Goal::AtLeast(bound) => value >= bound,
        Goal::None => true,
    }
}

/// How figures are rounded for display, as the summary says it.
const ROUNDING: &str = "Values are shown with two decimals, trailing zeros dropped, \
    or with as many more as it takes for the shown value to fall on the same side of \
    its goal as the measured one; every verdict compares the unrounded value.";

/// At most two decimals, no trailing zeros (`3.1`, `2.04`, `50000`), or
/// more where two would put the value on the other side of its goal: a
/// measured 4.004 against `<= 4` shows as `4.004`, never as a passing `4`.
fn number(value: f64, goal: Goal) -> String {
    let mut decimals = 2;
    loop {
        let text = format!("{value:.decimals$}");
        let agrees = text
            .parse::<f64>()
            .is_ok_and(|shown| passes(shown, goal) == passes(value, goal));
        if agrees || decimals >= 9 {
            return if text.contains('.') {
                text.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                text
            };
        }
        decimals += 1;
    }
}

/// Every peer ratio the criterion benches must print: (bench, figure, goal).
/// A bench that prints fewer, more or other ratio lines fails the run.
const PEER_RATIOS: &[(&str, &str, Goal)] = &[
    ("proto_parse", "parse-vs-uppercase", Goal::AtMost(4.0)),
    ("modem", "at-ingest-vs-atat", Goal::AtLeast(2.0)),
    ("modem", "pdu-decode-vs-sms-pdu-decoder", Goal::AtLeast(2.0)),
    ("modem", "field-parse-vs-at-commands", Goal::AtLeast(1.5)),
];

/// Runs a command, echoing what it prints, and returns its standard output.
fn capture(program: &str, args: &[&str]) -> Result<String, String> {
    capture_in(Path::new("."), program, args)
}

/// [`capture`] in directory `dir`.
fn capture_in(dir: &Path, program: &str, args: &[&str]) -> Result<String, String> {
    capture_with(dir, &[], program, args)
}

/// [`capture`] in directory `dir`, with environment variables `vars`.
fn capture_with(
    dir: &Path,
    vars: &[(&str, &str)],
    program: &str,
    args: &[&str],
) -> Result<String, String> {
    let shown: Vec<String> = vars.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    println!("==> {}{program} {}", shown.concat(), args.join(" "));
    let out = Command::new(program)
        .args(args)
        .envs(vars.iter().copied())
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

/// The criterion benches: their `ratio <name> <value> x (...)` lines, one
/// for each of [`PEER_RATIOS`], no more, no fewer.
fn peer_ratios(quick: bool) -> Result<Vec<Figure>, String> {
    let mut figures: Vec<Figure> = Vec::new();
    let mut benches: Vec<&str> = PEER_RATIOS.iter().map(|(bench, _, _)| *bench).collect();
    benches.dedup();
    for bench in benches {
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
        let command = format!("cargo {}", args.join(" "));
        let text = capture("cargo", &args)?;
        figures.extend(read_ratios(bench, &text, &command)?);
    }
    Ok(figures)
}

/// The `ratio <name> <value> x …` lines of bench `bench`'s output: each
/// ratio [`PEER_RATIOS`] expects from it exactly once, and nothing else.
fn read_ratios(bench: &str, text: &str, command: &str) -> Result<Vec<Figure>, String> {
    let mut figures: Vec<Figure> = Vec::new();
    let expected: Vec<_> = PEER_RATIOS.iter().filter(|(b, _, _)| *b == bench).collect();
    for line in text.lines().filter(|l| l.starts_with("ratio ")) {
        let mut words = line.split_whitespace().skip(1);
        let (Some(name), Some(value)) = (words.next(), words.next()) else {
            return Err(format!("bench {bench}: unreadable line `{line}`"));
        };
        let Some((_, _, goal)) = expected.iter().find(|(_, n, _)| *n == name) else {
            return Err(format!(
                "bench {bench} printed `ratio {name}`, which xtask does not expect"
            ));
        };
        let value: f64 = value
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v > 0.0)
            .ok_or_else(|| format!("bench {bench}: `{value}` is not a ratio in `{line}`"))?;
        if figures.iter().any(|f| f.name == name) {
            return Err(format!("bench {bench} printed `ratio {name}` twice"));
        }
        figures.push(Figure {
            name: name.to_string(),
            value,
            unit: "x",
            goal: *goal,
            command: command.to_string(),
        });
    }
    let missing: Vec<&str> = expected
        .iter()
        .map(|(_, name, _)| *name)
        .filter(|name| !figures.iter().any(|f| f.name == *name))
        .collect();
    if missing.is_empty() {
        Ok(figures)
    } else {
        Err(format!(
            "bench {bench} printed no `ratio` line for {}",
            missing.join(", ")
        ))
    }
}

/// Instructions per command SMS, engine plus codec, counted by callgrind:
/// the same on any machine load. Each run writes a fresh profile (an old
/// one is deleted first), and valgrind's exit status is checked.
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
    let binary = crate::target_dir()
        .join("release/sms-cost")
        .display()
        .to_string();
    /// Two whole rounds of `benches/data/sms_mix.txt`.
    const SMS: u64 = 236;
    let mut totals = Vec::new();
    for count in [0, SMS] {
        let out_file =
            std::env::temp_dir().join(format!("isocket-callgrind-{}-{count}", std::process::id()));
        match std::fs::remove_file(&out_file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot delete {}: {e}", out_file.display())),
        }
        let out_arg = format!("--callgrind-out-file={}", out_file.display());
        let count = count.to_string();
        let printed = capture("valgrind", &["--tool=callgrind", &out_arg, &binary, &count])?;
        if !printed.starts_with(&format!("{count} SMS")) {
            return Err(format!(
                "sms-cost under valgrind did not report {count} SMS"
            ));
        }
        let profile = std::fs::read_to_string(&out_file)
            .map_err(|e| format!("callgrind wrote no profile {}: {e}", out_file.display()))?;
        let _ = std::fs::remove_file(&out_file);
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
    let [base, loaded] = totals[..] else {
        return Err("callgrind ran fewer than twice".into());
    };
    if loaded <= base {
        return Err(format!(
            "{SMS} SMS took no more instructions than none ({loaded} vs {base})"
        ));
    }
    Ok(Figure {
        name: "instructions-per-command-sms".into(),
        value: (loaded - base) as f64 / SMS as f64,
        unit: "instructions",
        goal: Goal::AtMost(50_000.0),
        command: format!("valgrind --tool=callgrind target/release/sms-cost {{0,{SMS}}}"),
    })
}

/// Simulated device-days per second, from the soak's own lines
/// (`soak <variant>: … = <n> days/s …`): the engine alone, and the device
/// loop through the AT driver and the NorFlash store, a year each.
fn soak_speeds() -> Result<Vec<Figure>, String> {
    let vars = [
        ("ISOCKET_SOAK_DAYS", "365"),
        ("ISOCKET_SOAK_AT_DAYS", "365"),
    ];
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
        "--test-threads=1",
    ];
    let text = capture_with(Path::new("."), &vars, "cargo", &args)?;
    let command = format!(
        "ISOCKET_SOAK_DAYS=365 ISOCKET_SOAK_AT_DAYS=365 cargo {}",
        args.join(" ")
    );
    // libtest's progress dots may share the line.
    let speed = |variant: &str| {
        text.lines()
            .filter_map(|l| {
                l.split_once(&format!("soak {variant}: "))
                    .map(|(_, rest)| rest)
            })
            .find_map(|l| {
                let mut words = l.split(" = ").nth(1)?.split_whitespace();
                let value = words.next()?;
                (words.next()? == "days/s").then(|| value.parse::<f64>().ok())?
            })
            .ok_or_else(|| format!("the soak printed no `soak {variant}: … days/s` line"))
    };
    Ok(vec![
        Figure {
            name: "simulated-device-days-per-second".into(),
            value: speed("engine")?,
            unit: "days/s",
            goal: Goal::AtLeast(70.0),
            command: command.clone(),
        },
        Figure {
            name: "simulated-device-days-per-second-through-at-and-flash".into(),
            value: speed("through-at")?,
            unit: "days/s",
            goal: Goal::None,
            command,
        },
    ])
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
pub fn machine() -> String {
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

pub fn today() -> String {
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
    let _ = writeln!(block, "## Summary\n");
    let _ = writeln!(
        block,
        "Generated by `cargo xtask bench{}` on {}, {}. Each ratio is measured in the same run as its baseline. {ROUNDING}\n",
        if quick { " --quick" } else { "" },
        today(),
        machine()
    );
    let _ = writeln!(block, "| figure | value | goal | verdict | command |");
    let _ = writeln!(block, "|---|---|---|---|---|");
    for f in figures {
        let verdict = match f.verdict() {
            "MISS" => "**MISS**",
            other => other,
        };
        let _ = writeln!(
            block,
            "| {} | {} {} | {} | {verdict} | `{}` |",
            f.name,
            f.shown(),
            f.unit,
            f.goal_text(),
            f.command
        );
    }
    let _ = write!(block, "\n{bloat}");
    generated::write_block(BENCHMARKS, "figures", "cargo xtask bench", &block, true)
}

/// `cargo xtask bench [--quick]`.
pub fn bench(quick: bool) -> StepResult {
    let mut figures = peer_ratios(quick)?;
    figures.push(instructions_per_sms()?);
    figures.extend(soak_speeds()?);
    figures.extend(footprints()?);
    let bloat = bloat()?;
    println!();
    for figure in &figures {
        println!("{}", figure.line());
    }
    write_summary(&figures, &bloat, quick)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEM: &str = "ratio at-ingest-vs-atat 2.27 x (1196.2 ns vs 2715.4 ns per stream)\n\
        ratio pdu-decode-vs-sms-pdu-decoder 43.4 x (…)\n\
        ratio field-parse-vs-at-commands 1.52 x (…)\n";

    #[test]
    fn every_expected_ratio_is_read() {
        let figures = read_ratios("modem", MODEM, "cargo bench").unwrap();
        let names: Vec<&str> = figures.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "at-ingest-vs-atat",
                "pdu-decode-vs-sms-pdu-decoder",
                "field-parse-vs-at-commands"
            ]
        );
    }

    #[test]
    fn a_missing_repeated_unknown_or_unreadable_ratio_fails() {
        let missing: String = MODEM.lines().take(2).map(|l| format!("{l}\n")).collect();
        let err = read_ratios("modem", &missing, "").err().unwrap();
        assert!(err.contains("field-parse-vs-at-commands"), "{err}");
        let twice = format!("{MODEM}ratio at-ingest-vs-atat 2.3 x\n");
        assert!(read_ratios("modem", &twice, "").is_err());
        let unknown = format!("{MODEM}ratio at-ingest-vs-atat2 2.3 x\n");
        assert!(read_ratios("modem", &unknown, "").is_err());
        let unreadable = MODEM.replace("1.52", "1.5.2");
        assert!(read_ratios("modem", &unreadable, "").is_err());
        assert!(read_ratios("modem", "", "").is_err());
    }

    #[test]
    fn verdicts_use_the_unrounded_value_and_the_shown_value_agrees() {
        assert!(!passes(4.004, Goal::AtMost(4.0)));
        assert_eq!(number(4.004, Goal::AtMost(4.0)), "4.004");
        assert_eq!(number(4.04, Goal::AtMost(4.0)), "4.04");
        assert_eq!(number(1.4999, Goal::AtLeast(1.5)), "1.4999");
        assert_eq!(number(3.98, Goal::AtMost(4.0)), "3.98");
        assert_eq!(number(50_000.0, Goal::None), "50000");
        assert_eq!(number(2.0, Goal::AtLeast(2.0)), "2");
    }
}
