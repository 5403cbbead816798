//! Wiring pictures from one pin table, `examples/wiring.csv`.
//!
//! - `cargo xtask wiring` writes `examples/<board>/wiring.svg` and the
//!   wiring table in `examples/README.md` from the table.
//! - The `cargo xtask ci` step "wiring" fails when they differ from what the
//!   table gives, or when a board's code and the table disagree: every
//!   peripheral pin a board's `main.rs` takes (`p.PIN_3`, `p.PB1`,
//!   `p.GPIO4`) must carry a `// wiring: <signal>` tag, and the table must
//!   give that signal that pin on that board. So moving a wire in the code
//!   without the table (or the other way round) fails CI.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::StepResult;

const TABLE: &str = "examples/wiring.csv";
const README: &str = "examples/README.md";
const TABLE_BEGIN: &str =
    "<!-- wiring table: generated from wiring.csv by `cargo xtask wiring` -->";
const TABLE_END: &str = "<!-- end of wiring table -->";

/// The boards: (directory under `examples/`, title in the picture, README column).
const BOARDS: &[(&str, &str, &str)] = &[
    ("rp2040-pico", "Raspberry Pi Pico", "Pico"),
    ("stm32f411-blackpill", "STM32F411 Black Pill", "Black Pill"),
    ("esp32c3-devkit", "ESP32-C3 DevKit", "ESP32-C3"),
];

/// One row of the pin table.
struct Signal {
    /// The name the code's `// wiring:` tags use.
    name: String,
    /// Which drawing: modem, relay, ds18b20, contact, button, mains, hold, led-….
    part: String,
    /// The wire, as the README's table says it.
    wire: String,
    /// The pin label per board, in `BOARDS` order (`GP3`, `PA0 (KEY)`).
    pins: Vec<String>,
    level: String,
}

impl Signal {
    /// Whether `board` wires it at all (an empty cell: an option that
    /// board's design does without, like the modem's RTS).
    fn wired(&self, board: usize) -> bool {
        !self.pin(board).is_empty()
    }

    /// The pin's label without its note: `PA0 (KEY)` → `PA0`.
    fn pin(&self, board: usize) -> &str {
        self.pins
            .get(board)
            .and_then(|p| p.split_whitespace().next())
            .unwrap_or("")
    }
}

fn read_table() -> Result<Vec<Signal>, String> {
    let text = std::fs::read_to_string(TABLE).map_err(|e| format!("cannot read {TABLE}: {e}"))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let expected: Vec<&str> = ["signal", "part", "wire"]
        .into_iter()
        .chain(BOARDS.iter().map(|b| b.0))
        .chain(["level"])
        .collect();
    if header != expected {
        return Err(format!("{TABLE}: header must be {}", expected.join(",")));
    }
    let mut signals = Vec::new();
    for (n, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != expected.len() {
            return Err(format!("{TABLE}:{}: {} fields", n + 2, fields.len()));
        }
        let pins = fields[3..3 + BOARDS.len()]
            .iter()
            .map(|s| s.to_string())
            .collect();
        signals.push(Signal {
            name: fields[0].into(),
            part: fields[1].into(),
            wire: fields[2].into(),
            pins,
            level: fields[expected.len() - 1].into(),
        });
    }
    Ok(signals)
}

/// `cargo xtask wiring`: rewrites the pictures and the README table.
pub fn generate() -> StepResult {
    let signals = read_table()?;
    for (i, (dir, title, _)) in BOARDS.iter().enumerate() {
        let path = svg_path(dir);
        write(&path, &svg(&signals, i, title))?;
        println!("wrote {}", path.display());
    }
    let readme =
        std::fs::read_to_string(README).map_err(|e| format!("cannot read {README}: {e}"))?;
    write(Path::new(README), &with_table(&readme, &signals)?)?;
    println!("wrote the wiring table in {README}");
    Ok(())
}

/// The CI step: pictures and README table up to date, code and table agree.
pub fn check() -> StepResult {
    let signals = read_table()?;
    let mut problems = Vec::new();
    for (i, (dir, title, _)) in BOARDS.iter().enumerate() {
        let path = svg_path(dir);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != svg(&signals, i, title) {
            problems.push(format!("{} is not what {TABLE} gives", path.display()));
        }
        let main = format!("examples/{dir}/src/main.rs");
        let code =
            std::fs::read_to_string(&main).map_err(|e| format!("cannot read {main}: {e}"))?;
        problems.extend(code_mismatches(&code, &signals, i, &main));
        let readme = format!("examples/{dir}/README.md");
        let text =
            std::fs::read_to_string(&readme).map_err(|e| format!("cannot read {readme}: {e}"))?;
        let mut listed = readme_pins(&text);
        let mut table: Vec<&str> = signals
            .iter()
            .filter(|s| s.wired(i))
            .map(|s| s.pin(i))
            .collect();
        listed.sort_unstable();
        table.sort_unstable();
        if listed != table {
            problems.push(format!(
                "{readme}: its wiring table lists pins {listed:?}, {TABLE} {table:?}"
            ));
        }
    }
    let readme =
        std::fs::read_to_string(README).map_err(|e| format!("cannot read {README}: {e}"))?;
    if with_table(&readme, &signals)? != readme {
        problems.push(format!(
            "the wiring table in {README} is not what {TABLE} gives"
        ));
    }
    if problems.is_empty() {
        println!(
            "wiring: {} signals on {} boards agree with the code",
            signals.len(),
            BOARDS.len()
        );
        Ok(())
    } else {
        for p in &problems {
            println!("  {p}");
        }
        Err(format!(
            "{} wiring problem(s); fix the code or {TABLE}, then `cargo xtask wiring`",
            problems.len()
        ))
    }
}

fn svg_path(dir: &str) -> PathBuf {
    Path::new("examples").join(dir).join("wiring.svg")
}

fn write(path: &Path, text: &str) -> StepResult {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The pin name a board's code uses for a table label (`GP3` → `PIN_3` on the Pico).
fn code_pin(board: &str, label: &str) -> String {
    match (board, label.strip_prefix("GP")) {
        ("rp2040-pico", Some(n)) => format!("PIN_{n}"),
        _ => label.to_string(),
    }
}

/// Every `p.<PIN>` in `code` against its `// wiring:` tag and the table.
fn code_mismatches(code: &str, signals: &[Signal], board: usize, file: &str) -> Vec<String> {
    let dir = BOARDS.get(board).map_or("", |b| b.0);
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let (code_part, comment) = match line.split_once("//") {
            Some((c, rest)) => (c, rest.trim()),
            None => (line, ""),
        };
        let pins = peripheral_pins(code_part);
        if pins.is_empty() {
            continue;
        }
        let tags: Vec<&str> = comment
            .strip_prefix("wiring:")
            .map(|t| t.split(',').map(str::trim).collect())
            .unwrap_or_default();
        if tags.len() != pins.len() {
            problems.push(format!(
                "{file}:{}: {} pin(s) but {} `// wiring:` tag(s)",
                n + 1,
                pins.len(),
                tags.len()
            ));
            continue;
        }
        for (pin, tag) in pins.iter().zip(&tags) {
            match signals.iter().find(|s| s.name == *tag) {
                None => problems.push(format!("{file}:{}: no signal `{tag}` in {TABLE}", n + 1)),
                Some(s) if !s.wired(board) => problems.push(format!(
                    "{file}:{}: {tag} is on {pin} in the code, not wired in {TABLE}",
                    n + 1
                )),
                Some(s) if code_pin(dir, s.pin(board)) != *pin => problems.push(format!(
                    "{file}:{}: {tag} is on {pin} in the code, {} in {TABLE}",
                    n + 1,
                    s.pin(board)
                )),
                Some(_) => seen.push(tag.to_string()),
            }
        }
    }
    for s in signals.iter().filter(|s| s.wired(board)) {
        if !seen.contains(&s.name) {
            problems.push(format!("{file}: no pin tagged `// wiring: {}`", s.name));
        }
    }
    problems
}

/// The pins a board README's `## Wiring` table lists: the first word of each
/// row's first cell, where it names one pin (`GP3`, `PA0`, `GPIO9`).
fn readme_pins(readme: &str) -> Vec<&str> {
    readme
        .lines()
        .skip_while(|l| l.trim() != "## Wiring")
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix('|'))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|word| {
            let digits = word
                .strip_prefix("GPIO")
                .or_else(|| word.strip_prefix("GP"))
                .or_else(|| {
                    word.strip_prefix('P')
                        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
                        .map(|rest| &rest[1..])
                });
            digits.is_some_and(all_digits)
        })
        .collect()
}

/// GPIO peripherals a line takes: `p.PIN_3`, `p.PB1`, `p.GPIO4`.
fn peripheral_pins(code: &str) -> Vec<String> {
    let mut pins = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("p.") {
        let before_ok = at == 0
            || !rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
        rest = &rest[at + 2..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let is_pin = name.strip_prefix("PIN_").is_some_and(all_digits)
            || name.strip_prefix("GPIO").is_some_and(all_digits)
            || (name.len() >= 3
                && name.starts_with('P')
                && name[1..2].chars().all(|c| c.is_ascii_uppercase())
                && all_digits(&name[2..]));
        if before_ok && is_pin {
            pins.push(name);
        }
    }
    pins
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// The README with its wiring table replaced by the generated one.
fn with_table(readme: &str, signals: &[Signal]) -> Result<String, String> {
    let (Some(begin), Some(end)) = (readme.find(TABLE_BEGIN), readme.find(TABLE_END)) else {
        return Err(format!(
            "{README} lacks the markers {TABLE_BEGIN} … {TABLE_END}"
        ));
    };
    let mut table = format!("{TABLE_BEGIN}\n\n| signal |");
    for (_, _, column) in BOARDS {
        let _ = write!(table, " {column} |");
    }
    table.push_str(" level |\n|---|");
    for _ in BOARDS {
        table.push_str("---|");
    }
    table.push_str("---|\n");
    for s in signals {
        let _ = write!(table, "| {} |", s.wire);
        for pin in &s.pins {
            let pin = if pin.is_empty() { "—" } else { pin };
            let _ = write!(table, " {pin} |");
        }
        let level = if s.level.is_empty() {
            String::new()
        } else {
            format!(" {}", s.level)
        };
        let _ = writeln!(table, "{level} |");
    }
    table.push('\n');
    Ok(format!("{}{table}{}", &readme[..begin], &readme[end..]))
}

// ---- the picture ----

const ROW: i32 = 46;
const TOP: i32 = 70;
const BOARD_X: i32 = 20;
const BOARD_W: i32 = 190;
const PIN_X: i32 = BOARD_X + BOARD_W;
const PART_X: i32 = 420;
const WIDTH: i32 = 820;

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One SVG: the board on the left, a wire per signal to its part on the right.
fn svg(signals: &[Signal], board: usize, title: &str) -> String {
    let signals: Vec<&Signal> = signals.iter().filter(|s| s.wired(board)).collect();
    let rows = i32::try_from(signals.len()).unwrap_or(0);
    let height = TOP + rows * ROW + 40;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="13">"#
    );
    let _ = writeln!(
        s,
        "<!-- Generated from examples/wiring.csv by `cargo xtask wiring`; do not edit. -->"
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(
        s,
        r#"<text x="{BOARD_X}" y="30" font-size="18" font-weight="bold">isocket on the {}: wiring</text>"#,
        esc(title)
    );
    let _ = writeln!(
        s,
        r##"<text x="{BOARD_X}" y="50" fill="#555">3.3 V logic. Grey: ground. The modem and relay need their own supply.</text>"##
    );
    let _ = writeln!(
        s,
        r##"<rect x="{BOARD_X}" y="{}" width="{BOARD_W}" height="{}" rx="8" fill="#2f6b3a" stroke="#1d4426" stroke-width="2"/>"##,
        TOP - 10,
        rows * ROW
    );
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" fill="#fff" font-size="15" font-weight="bold" text-anchor="middle" transform="rotate(-90 {} {})">{}</text>"##,
        BOARD_X + 30,
        TOP + rows * ROW / 2,
        BOARD_X + 30,
        TOP + rows * ROW / 2,
        esc(title)
    );
    let mut modem_rows = Vec::new();
    for (i, sig) in signals.iter().enumerate() {
        let y = TOP + i32::try_from(i).unwrap_or(0) * ROW + ROW / 2 - 10;
        let label = sig.pins.get(board).map(String::as_str).unwrap_or("");
        // Pin pad and label on the board's edge.
        let _ = writeln!(
            s,
            r##"<rect x="{}" y="{}" width="10" height="10" fill="#d9b44a"/><text x="{}" y="{}" fill="#fff" text-anchor="end">{}</text>"##,
            PIN_X - 10,
            y - 5,
            PIN_X - 16,
            y + 5,
            esc(label)
        );
        let color = wire_color(&sig.part);
        let end = if sig.part == "modem" {
            PART_X + 60
        } else {
            PART_X
        };
        let _ = writeln!(
            s,
            r#"<line x1="{PIN_X}" y1="{y}" x2="{end}" y2="{y}" stroke="{color}" stroke-width="3"/>"#
        );
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" fill="#333" font-size="11">{}</text>"##,
            PIN_X + 8,
            y - 6,
            esc(&sig.wire)
        );
        if !sig.level.is_empty() {
            let _ = writeln!(
                s,
                r##"<text x="{}" y="{}" fill="#777" font-size="11">{}</text>"##,
                PIN_X + 8,
                y + 16,
                esc(&sig.level)
            );
        }
        if sig.part == "modem" {
            modem_rows.push(y);
        } else {
            part(&mut s, &sig.part, y);
        }
    }
    if let (Some(first), Some(last)) = (modem_rows.first(), modem_rows.last()) {
        let _ = writeln!(
            s,
            r##"<rect x="{}" y="{}" width="200" height="{}" rx="6" fill="#dfe8f5" stroke="#35507a" stroke-width="2"/><text x="{}" y="{}" font-weight="bold">GSM modem</text><text x="{}" y="{}" font-size="11">RXD, TXD, PWRKEY / supply switch</text><text x="{}" y="{}" font-size="11">own 4 V / 2 A supply</text>"##,
            PART_X + 60,
            first - 18,
            last - first + 36,
            PART_X + 75,
            first + 4,
            PART_X + 75,
            first + 22,
            PART_X + 75,
            first + 38
        );
    }
    s.push_str("</svg>\n");
    s
}

fn wire_color(part: &str) -> &'static str {
    match part {
        "modem" => "#35507a",
        "relay" => "#b03030",
        "ds18b20" => "#c77d00",
        "contact" | "button" => "#555555",
        "mains" | "hold" => "#7a3fa0",
        "led-green" => "#1a9c3a",
        "led-blue" => "#2563eb",
        "led-red" => "#dc2626",
        _ => "#000000",
    }
}

/// Ground symbol with its top at (x, y).
fn ground(s: &mut String, x: i32, y: i32) {
    let _ = writeln!(
        s,
        r##"<g stroke="#888" stroke-width="2"><line x1="{x}" y1="{y}" x2="{x}" y2="{}"/><line x1="{}" y1="{}" x2="{}" y2="{}"/><line x1="{}" y1="{}" x2="{}" y2="{}"/></g>"##,
        y + 6,
        x - 8,
        y + 6,
        x + 8,
        y + 6,
        x - 4,
        y + 10,
        x + 4,
        y + 10
    );
}

/// A resistor (zigzag-free box) from (x, y) to (x + 30, y), labelled.
fn resistor(s: &mut String, x: i32, y: i32, label: &str) {
    let _ = writeln!(
        s,
        r##"<rect x="{x}" y="{}" width="30" height="10" fill="#fff" stroke="#333" stroke-width="2"/><text x="{}" y="{}" font-size="10" text-anchor="middle">{label}</text>"##,
        y - 5,
        x + 15,
        y - 8
    );
}

/// The part at the end of a wire at height `y`.
fn part(s: &mut String, kind: &str, y: i32) {
    let x = PART_X;
    match kind {
        "relay" => {
            let _ = writeln!(
                s,
                r##"<rect x="{x}" y="{}" width="110" height="30" rx="4" fill="#f6dede" stroke="#b03030" stroke-width="2"/><text x="{}" y="{}" font-size="12">relay driver</text><line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#b03030" stroke-width="3" stroke-dasharray="6 4"/><text x="{}" y="{}" font-size="12">mains socket</text>"##,
                y - 15,
                x + 10,
                y + 4,
                x + 110,
                x + 170,
                x + 176,
                y + 4
            );
        }
        "ds18b20" => {
            // The probe, and the 4.7 kΩ pull-up from the wire to 3V3.
            let _ = writeln!(
                s,
                r##"<path d="M{x} {} h36 v18 a18 18 0 0 1 -36 0 z" fill="#333"/><text x="{}" y="{}" font-size="12">DS18B20 (DQ; VDD to 3V3, GND)</text>"##,
                y - 12,
                x + 46,
                y + 4
            );
            let px = x - 40;
            let _ = writeln!(
                s,
                r##"<line x1="{px}" y1="{y}" x2="{px}" y2="{}" stroke="#c77d00" stroke-width="2"/>"##,
                y - 8
            );
            let _ = writeln!(s, r##"<g transform="rotate(-90 {px} {})">"##, y - 8);
            resistor(s, px, y - 8, "");
            s.push_str("</g>\n");
            let _ = writeln!(
                s,
                r##"<text x="{}" y="{}" font-size="10">4.7 kΩ to 3V3</text>"##,
                px + 8,
                y - 20
            );
        }
        "contact" => {
            let _ = writeln!(
                s,
                r##"<g stroke="#555" stroke-width="2"><circle cx="{x}" cy="{y}" r="3" fill="#555"/><line x1="{x}" y1="{y}" x2="{}" y2="{}"/><circle cx="{}" cy="{y}" r="3" fill="#555"/></g><text x="{}" y="{}" font-size="12">alarm contact (NO/NC, dry)</text>"##,
                x + 28,
                y - 12,
                x + 32,
                x + 46,
                y + 4
            );
            ground(s, x + 32, y + 3);
        }
        "button" => {
            let _ = writeln!(
                s,
                r##"<g stroke="#555" stroke-width="2"><circle cx="{x}" cy="{y}" r="3" fill="#555"/><line x1="{}" y1="{}" x2="{}" y2="{}"/><line x1="{}" y1="{}" x2="{}" y2="{}"/><circle cx="{}" cy="{y}" r="3" fill="#555"/></g><text x="{}" y="{}" font-size="12">push button</text>"##,
                x - 2,
                y - 10,
                x + 34,
                y - 10,
                x + 16,
                y - 10,
                x + 16,
                y - 18,
                x + 32,
                x + 46,
                y + 4
            );
            ground(s, x + 32, y + 3);
        }
        "mains" => {
            resistor(s, x, y, "divider");
            let _ = writeln!(
                s,
                r##"<text x="{}" y="{}" font-size="12">from the mains PSU's 5 V (before the battery diode)</text>"##,
                x + 40,
                y + 4
            );
        }
        "hold" => {
            let _ = writeln!(
                s,
                r##"<rect x="{x}" y="{}" width="110" height="30" rx="4" fill="#eee3f4" stroke="#7a3fa0" stroke-width="2"/><text x="{}" y="{}" font-size="12">battery latch</text><text x="{}" y="{}" font-size="12">low: cuts the board's own supply</text>"##,
                y - 15,
                x + 10,
                y + 4,
                x + 120,
                y + 4
            );
        }
        led => {
            let (fill, name) = match led {
                "led-green" => ("#1a9c3a", "POWER"),
                "led-blue" => ("#2563eb", "GSM"),
                _ => ("#dc2626", "OUT"),
            };
            resistor(s, x, y, "330 Ω");
            let _ = writeln!(
                s,
                r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#333" stroke-width="2"/><path d="M{} {} l16 10 l-16 10 z" fill="{fill}" stroke="#333"/><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333" stroke-width="2"/><text x="{}" y="{}" font-size="12">{name} LED</text>"##,
                x + 30,
                x + 44,
                x + 44,
                y - 10,
                x + 60,
                y - 10,
                x + 60,
                y + 10,
                x + 100,
                y + 4
            );
            ground(s, x + 70, y);
            let _ = writeln!(
                s,
                r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#333" stroke-width="2"/>"##,
                x + 60,
                x + 70
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_peripheral_pins() {
        assert_eq!(
            peripheral_pins("Output::new(p.PIN_3, Level::Low)"),
            ["PIN_3"]
        );
        assert_eq!(
            peripheral_pins("uart.with_tx(p.GPIO0).with_rx(p.GPIO1)"),
            ["GPIO0", "GPIO1"]
        );
        assert_eq!(
            peripheral_pins("p.PB12, p.UART0, p.FLASH, ap.PA1"),
            ["PB12"]
        );
    }

    #[test]
    fn readme_tables_name_their_pins() {
        let readme = "## Wiring\n\n| pin | to |\n|---|---|\n| GP0 (UART0 TX) | modem |\n| PA0 (KEY) | button |\n| GPIO20/21 (UART0) | USB |\n| VSYS / GND | 5 V |\n\n## Next\n| GP9 | x |";
        assert_eq!(readme_pins(readme), ["GP0", "PA0"]);
    }

    #[test]
    fn a_moved_pin_is_reported() {
        let signals = vec![Signal {
            name: "relay".into(),
            part: "relay".into(),
            wire: "relay".into(),
            pins: vec!["GP3".into(), "PB1".into(), "GPIO4".into()],
            level: String::new(),
        }];
        let good = "let relay = Output::new(p.PIN_3, Level::Low); // wiring: relay";
        assert!(code_mismatches(good, &signals, 0, "main.rs").is_empty());
        let moved = "let relay = Output::new(p.PIN_9, Level::Low); // wiring: relay";
        assert_eq!(code_mismatches(moved, &signals, 0, "main.rs").len(), 2);
        let untagged = "let relay = Output::new(p.PIN_3, Level::Low);";
        assert!(!code_mismatches(untagged, &signals, 0, "main.rs").is_empty());
    }

    #[test]
    fn an_unwired_signal_is_neither_required_nor_allowed() {
        let signals = vec![Signal {
            name: "modem-rts".into(),
            part: "modem".into(),
            wire: "modem RTS".into(),
            pins: vec![String::new(), String::new(), "GPIO8".into()],
            level: String::new(),
        }];
        assert!(code_mismatches("fn main() {}", &signals, 0, "main.rs").is_empty());
        let tagged = "let rts = p.PIN_15; // wiring: modem-rts";
        assert!(!code_mismatches(tagged, &signals, 0, "main.rs").is_empty());
        // Where it is wired, it must be there.
        assert!(!code_mismatches("fn main() {}", &signals, 2, "main.rs").is_empty());
        assert_eq!(svg(&signals, 0, "x").matches("GPIO8").count(), 0);
        assert_eq!(svg(&signals, 2, "x").matches("GPIO8").count(), 1);
    }
}
