//! `cargo xtask playground`: the browser playground as a folder of static
//! files, and (`--test`, the CI step) the same folder driven in the
//! distribution's headless Chromium.
//!
//! The crate `examples/playground` compiles to wasm32-unknown-unknown;
//! wasm-bindgen (the CLI at exactly the version Cargo.lock pins for the
//! crate, installed with `cargo install --locked` when missing) writes its
//! JavaScript glue for classic scripts (`--target no-modules`), and the wasm
//! goes into a script as base64, so `index.html` opens from the folder with
//! `file://`: no server, no network.

use crate::{StepResult, apt_install, ensure_rustup_targets, output, run, run_in};
use std::path::{Path, PathBuf};

const CRATE: &str = "isocket-playground";
const WASM: &str = "isocket_playground";
const WEB: &str = "examples/playground/web";
const TEST_DIR: &str = "examples/playground/test";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Builds the folder; returns where it is.
pub fn build() -> Result<PathBuf, String> {
    ensure_rustup_targets(&[WASM_TARGET])?;
    let version = locked_version("wasm-bindgen")?;
    ensure_wasm_bindgen_cli(&version)?;
    run(
        "cargo",
        &[
            "build",
            "--release",
            "--lib",
            "-p",
            CRATE,
            "--target",
            WASM_TARGET,
        ],
    )?;
    let target = target_dir();
    let wasm = target
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{WASM}.wasm"));
    let out = target.join("playground");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    run(
        "wasm-bindgen",
        &[
            "--target",
            "no-modules",
            "--no-typescript",
            "--out-dir",
            &out.display().to_string(),
            &wasm.display().to_string(),
        ],
    )?;
    let glue_wasm = out.join(format!("{WASM}_bg.wasm"));
    let bytes = std::fs::read(&glue_wasm)
        .map_err(|e| format!("cannot read {}: {e}", glue_wasm.display()))?;
    let script = format!(
        "// The playground's WebAssembly, as base64: pages opened from file:// cannot fetch it.\n\
         const ISOCKET_PLAYGROUND_WASM = \"{}\";\n",
        base64(&bytes)
    );
    write(&out.join(format!("{WASM}_wasm.js")), script.as_bytes())?;
    for entry in std::fs::read_dir(WEB).map_err(|e| format!("cannot list {WEB}: {e}"))? {
        let path = entry.map_err(|e| format!("cannot list {WEB}: {e}"))?.path();
        if let Some(name) = path.file_name() {
            copy(&path, &out.join(name))?;
        }
    }
    copy(Path::new("docs/manual.md"), &out.join("manual.md"))?;
    println!(
        "playground: {} ({} KiB of wasm); open {}",
        out.display(),
        bytes.len() / 1024,
        out.join("index.html").display()
    );
    Ok(out)
}

/// The CI step: builds the folder, then drives it in headless Chromium.
pub fn test() -> StepResult {
    let out = build()?;
    ensure_chromium()?;
    run_in(
        Path::new(TEST_DIR),
        "npm",
        &["ci", "--no-audit", "--no-fund"],
    )?;
    let screenshot = out.join("screenshot.png");
    run_in(
        Path::new(TEST_DIR),
        "node",
        &[
            "playground.test.mjs",
            &absolute(&out).display().to_string(),
            &absolute(&screenshot).display().to_string(),
        ],
    )?;
    println!(
        "playground screenshot (CI artifact): {}",
        screenshot.display()
    );
    Ok(())
}

fn absolute(path: &Path) -> PathBuf {
    std::env::current_dir()
        .map(|d| d.join(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) => dir,
        None => PathBuf::from("target"),
    }
}

/// The version Cargo.lock pins for `package` (the playground's only copy).
fn locked_version(package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string("Cargo.lock").map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"") {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'))
            {
                return Ok(version.to_string());
            }
        }
    }
    Err(format!("Cargo.lock has no {package}"))
}

/// wasm-bindgen-cli must be the crate's version exactly: the glue it
/// writes and the crate's side of the ABI change together.
fn ensure_wasm_bindgen_cli(version: &str) -> StepResult {
    let installed = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if installed.split_whitespace().nth(1) == Some(version) {
        return Ok(());
    }
    run(
        "cargo",
        &[
            "install",
            "--locked",
            "wasm-bindgen-cli",
            "--version",
            &format!("={version}"),
        ],
    )
}

/// Debian's Chromium, installed when missing.
fn ensure_chromium() -> StepResult {
    if Path::new(CHROMIUM).exists() {
        return Ok(());
    }
    apt_install("chromium")
}

fn write(path: &Path, bytes: &[u8]) -> StepResult {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path) -> StepResult {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        let sextets = [n >> 18, n >> 12, n >> 6, n];
        for (i, s) in sextets.iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(s & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }
}
