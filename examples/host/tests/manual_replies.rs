//! The user manual (docs/manual.md) shows the replies users will see: every
//! reply in its tables' "reply" column and in its example dialogues must be
//! one of the texts the specification lets the device send (the same check
//! the soaks apply to every SMS the simulated device sends).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use isocket_host::spec_texts::is_spec_text;

const MANUAL: &str = include_str!("../../../docs/manual.md");

/// Texts in reply cells that are not the device's own: an operator's USSD
/// answer, which CREDIT forwards as it comes.
const NOT_DEVICE_TEXT: &[&str] = &["Your balance is 4.20 EUR"];

/// Placeholders the manual uses in replies, and an example value each.
const PLACEHOLDERS: &[(&str, &str)] = &[("<TEXT>", "HALLO"), ("<serial>", "E6614103E7")];

/// The code spans of a table cell, spans joined by `<br>` forming one
/// multi-line reply.
fn replies_in_cell(cell: &str) -> Vec<String> {
    let mut replies = Vec::new();
    let mut current: Option<String> = None;
    let mut parts = cell.split('`');
    let mut between = parts.next().unwrap_or("");
    while let (Some(code), Some(after)) = (parts.next(), parts.next()) {
        current = Some(match current.take() {
            Some(mut reply) if between == "<br>" => {
                reply.push('\n');
                reply.push_str(code);
                reply
            }
            Some(reply) => {
                replies.push(reply);
                code.to_string()
            }
            None => code.to_string(),
        });
        between = after;
    }
    replies.extend(current);
    replies
}

fn cells(row: &str) -> Vec<&str> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    // `|` inside code spans does not occur in the manual's tables.
    inner.split('|').map(str::trim).collect()
}

/// `(line, reply)` for every reply the manual shows.
fn manual_replies() -> Vec<(usize, String)> {
    let lines: Vec<&str> = MANUAL.lines().collect();
    let mut found = Vec::new();
    let mut reply_column: Option<usize> = None;
    let mut fenced = false;
    let mut dialogue: Option<(usize, String)> = None;
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            found.extend(dialogue.take());
            // A fenced block that is one reply (STATUS).
            if fenced
                && lines
                    .get(i + 1)
                    .is_some_and(|l| l.starts_with("Power socket"))
            {
                let body: Vec<&str> = lines[i + 1..]
                    .iter()
                    .take_while(|l| !l.starts_with("```"))
                    .copied()
                    .collect();
                found.push((i + 2, body.join("\n")));
            }
            continue;
        }
        if fenced {
            // Dialogues: `socket: <first line>`, continuation lines indented;
            // `(…)` lines narrate.
            if let Some(first) = line.strip_prefix("socket: ") {
                found.extend(dialogue.take());
                dialogue = Some((i + 1, first.to_string()));
            } else if let Some(more) = line.strip_prefix("        ") {
                if let Some((_, text)) = dialogue.as_mut().filter(|_| !more.starts_with('(')) {
                    text.push('\n');
                    text.push_str(more);
                }
            } else {
                found.extend(dialogue.take());
            }
            continue;
        }
        if !line.starts_with('|') {
            reply_column = None;
            continue;
        }
        let row = cells(line);
        let is_separator = lines
            .get(i + 1)
            .is_some_and(|next| next.starts_with("|---") || next.starts_with("| ---"));
        if is_separator {
            reply_column = row.iter().position(|c| *c == "reply");
            continue;
        }
        if line.starts_with("|---") {
            continue;
        }
        if let Some(cell) = reply_column.and_then(|c| row.get(c)) {
            found.extend(replies_in_cell(cell).into_iter().map(|r| (i + 1, r)));
        }
    }
    found
}

#[test]
fn every_reply_in_the_manual_is_a_spec_text() {
    let replies = manual_replies();
    assert!(replies.len() > 100, "only {} replies found", replies.len());
    let mut wrong = Vec::new();
    for (line, reply) in &replies {
        if NOT_DEVICE_TEXT.contains(&reply.as_str()) {
            continue;
        }
        let mut text = reply.clone();
        for (placeholder, example) in PLACEHOLDERS {
            text = text.replace(placeholder, example);
        }
        if !is_spec_text(&text) {
            wrong.push(format!("docs/manual.md:{line}: {reply:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "not a reply the device sends:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn cells_split_into_replies() {
    assert_eq!(
        replies_in_cell("`A - OK`<br>`B` or `C`"),
        ["A - OK\nB".to_string(), "C".to_string()]
    );
}
