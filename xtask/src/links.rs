//! `cargo xtask ci` step "markdown links": every relative link in every
//! Markdown file of the repository names a file that exists inside the
//! repository, and a `#fragment` into a Markdown file names one of its
//! headings. Web links (`https:`, `mailto:`) are not fetched: CI has no
//! network beyond the package registries.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use crate::StepResult;

/// Checks every Markdown file git knows of (committed or not ignored).
pub fn check_markdown_links() -> StepResult {
    let out = Command::new("git")
        .args([
            "ls-files",
            "--cached",
            "--others",
            "--exclude-standard",
            "*.md",
        ])
        .output()
        .map_err(|e| format!("cannot run git ls-files: {e}"))?;
    if !out.status.success() {
        return Err("`git ls-files` failed".into());
    }
    let files: Vec<PathBuf> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect();
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        for (line, target) in links(&text) {
            if let Err(why) = check_link(file, target) {
                broken.push(format!("{}:{line}: ({target}) {why}", file.display()));
            }
        }
    }
    println!("markdown links: {} files checked", files.len());
    if broken.is_empty() {
        Ok(())
    } else {
        for b in &broken {
            println!("  {b}");
        }
        Err(format!("{} broken Markdown link(s)", broken.len()))
    }
}

/// Whether a link target resolves; `file` is relative to the repository root.
fn check_link(file: &Path, target: &str) -> Result<(), String> {
    if is_external(target) {
        return Ok(());
    }
    let (path, fragment) = match target.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (target, None),
    };
    if path.starts_with('/') {
        return Err("an absolute path: link relative to this file".into());
    }
    let dir = file.parent().unwrap_or(Path::new(""));
    let resolved = if path.is_empty() {
        file.to_path_buf()
    } else {
        normalize(&dir.join(path)).ok_or("points outside the repository")?
    };
    if !resolved.exists() {
        return Err(format!("{} does not exist", resolved.display()));
    }
    let Some(fragment) = fragment else {
        return Ok(());
    };
    if resolved.extension().is_none_or(|e| e != "md") || fragment.is_empty() {
        return Ok(());
    }
    let text = std::fs::read_to_string(&resolved)
        .map_err(|e| format!("cannot read {}: {e}", resolved.display()))?;
    if anchors(&text).contains(fragment) {
        Ok(())
    } else {
        Err(format!("no heading #{fragment} in {}", resolved.display()))
    }
}

fn is_external(target: &str) -> bool {
    let scheme = target.split_once(':').map(|(s, _)| s);
    scheme
        .is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '+'))
}

/// Joins `..` and `.` away; `None` when the path climbs above the root.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.iter().collect())
}

/// `(line number, target)` of every inline link, image and reference
/// definition outside code blocks and code spans.
fn links(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut fenced = false;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced || line.starts_with("    ") && !trimmed.starts_with(['-', '*', '|']) {
            continue;
        }
        // A reference definition: `[name]: target`.
        if let Some(rest) = trimmed.strip_prefix('[') {
            if let Some((_, after)) = rest.split_once("]:") {
                if let Some(target) = after.split_whitespace().next() {
                    found.push((index + 1, target.trim_matches(['<', '>'])));
                }
                continue;
            }
        }
        let mut rest = line;
        let mut in_code = false;
        while let Some(pos) = rest.find(['`', ']']) {
            let after = &rest[pos..];
            if after.starts_with('`') {
                in_code = !in_code;
                rest = after.get(1..).unwrap_or("");
                continue;
            }
            rest = after.get(1..).unwrap_or("");
            if in_code {
                continue;
            }
            if let Some(inner) = rest.strip_prefix('(') {
                if let Some(end) = inner.find(')') {
                    let target = inner.get(..end).unwrap_or("");
                    // `[text](target "title")`
                    let target = target.split_whitespace().next().unwrap_or("");
                    found.push((index + 1, target.trim_matches(['<', '>'])));
                }
            }
        }
    }
    found
}

/// The anchors GitHub gives a file's headings: lower case, letters, digits,
/// `-` and `_` kept, spaces to `-`, repeats numbered `-1`, `-2`…
fn anchors(text: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let heading = line.trim_start_matches('#').trim();
        let slug: String = heading
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => {
                    Some(c.to_lowercase().next().unwrap_or(c))
                }
                _ => None,
            })
            .collect();
        let mut candidate = slug.clone();
        let mut n = 0;
        while seen.contains(&candidate) {
            n += 1;
            candidate = format!("{slug}-{n}");
        }
        seen.insert(candidate);
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_outside_code() {
        let text = "see [a](x.md#top) and `[b](y.md)`\n```\n[c](z.md)\n```\n[d]: <w.md>\n![p](img/a.svg \"t\")";
        let found: Vec<&str> = links(text).into_iter().map(|(_, t)| t).collect();
        assert_eq!(found, ["x.md#top", "w.md", "img/a.svg"]);
    }

    #[test]
    fn github_anchors() {
        let a = anchors(
            "# 9. Temperature: thermostat and alerts\n## Setup and the first SMS\n## Setup and the first SMS",
        );
        assert!(a.contains("9-temperature-thermostat-and-alerts"));
        assert!(a.contains("setup-and-the-first-sms"));
        assert!(a.contains("setup-and-the-first-sms-1"));
    }

    #[test]
    fn outside_the_repository_is_broken() {
        assert!(normalize(Path::new("README.md/../../shared/SPEC.md")).is_none());
        assert!(check_link(Path::new("README.md"), "../shared/SPEC.md").is_err());
        assert!(check_link(Path::new("README.md"), "https://example.com").is_ok());
    }
}
