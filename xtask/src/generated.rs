//! Generated blocks in the project's Markdown: a command writes its block
//! between `<!-- <name>:begin … -->` and `<!-- <name>:end -->` and leaves
//! everything around it as it is.

use std::path::Path;

/// The begin marker, naming the command that writes the block.
pub fn begin(name: &str, command: &str) -> String {
    format!("<!-- {name}:begin ({command} writes this block) -->")
}

/// The end marker.
pub fn end(name: &str) -> String {
    format!("<!-- {name}:end -->")
}

/// Replaces block `name` of `file` with `body` (between fresh markers).
/// Without both markers in order the file is left alone and it fails,
/// unless `or_under_title` puts a new block under the file's first line.
pub fn write_block(
    file: &str,
    name: &str,
    command: &str,
    body: &str,
    or_under_title: bool,
) -> Result<(), String> {
    let path = Path::new(file);
    let text = std::fs::read_to_string(path).map_err(|e| format!("{file}: {e}"))?;
    let open = format!("<!-- {name}:begin");
    let close = end(name);
    let block = format!("{}\n{}\n{close}", begin(name, command), body.trim_end());
    let updated = match (text.find(&open), text.find(&close)) {
        (Some(a), Some(b)) if a < b => {
            let (head, rest) = text.split_at(a);
            let tail = rest.get(b - a + close.len()..).unwrap_or_default();
            format!("{head}{block}{tail}")
        }
        _ if or_under_title => match text.split_once('\n') {
            Some((title, rest)) => format!("{title}\n\n{block}\n{rest}"),
            None => format!("{text}\n\n{block}\n"),
        },
        _ => {
            return Err(format!(
                "{file} has no `{open} … -->` … `{close}` block for the table to replace"
            ));
        }
    };
    std::fs::write(path, updated).map_err(|e| format!("{file}: {e}"))
}
