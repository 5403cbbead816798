//! `cargo xtask ci` step "library crates alone": each library crate is built
//! the way an outside integrator first meets it, as the only dependency of a
//! scratch crate with no lockfile, so cargo resolves every dependency afresh.
//! Inside the workspace, one crate's features can mask another's missing ones
//! (the shared lockfile and feature unification); here nothing can.

use std::path::{Path, PathBuf};

use crate::{LIBRARY_CRATES, StepResult, ensure_rustup_targets, run_in};

/// The host (empty: cargo's default) and the smallest bare-metal target.
const TARGETS: &[Option<&str>] = &[None, Some("thumbv6m-none-eabi")];

pub fn library_crates_alone() -> StepResult {
    ensure_rustup_targets(&["thumbv6m-none-eabi"])?;
    let root = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    let scratch_root = scratch_dir(&root);
    // One target dir for every scratch crate: shared dependencies build once.
    let target_dir = scratch_root.join("target");
    for krate in LIBRARY_CRATES {
        let dir = scratch_root.join(krate);
        write_scratch_crate(&dir, krate, &root.join(krate))?;
        for target in TARGETS {
            let _ = std::fs::remove_file(dir.join("Cargo.lock"));
            let target_arg = target.map(|t| format!("--target={t}"));
            let target_dir_arg = format!("--target-dir={}", target_dir.display());
            let mut args = vec!["build", "--quiet", target_dir_arg.as_str()];
            args.extend(target_arg.as_deref());
            run_in(&dir, "cargo", &args)
                .map_err(|e| format!("{krate} alone ({}): {e}", target.unwrap_or("host")))?;
            println!(
                "{krate} builds alone for {}, fresh resolution",
                target.unwrap_or("the host")
            );
        }
    }
    Ok(())
}

/// Under the workspace's target directory, which git ignores.
fn scratch_dir(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let target = if target.is_absolute() {
        target
    } else {
        root.join(target)
    };
    target.join("integrator")
}

fn write_scratch_crate(dir: &Path, krate: &str, path: &Path) -> StepResult {
    let src = dir.join("src");
    std::fs::create_dir_all(&src).map_err(|e| format!("cannot create {}: {e}", src.display()))?;
    // `[workspace]`: the scratch crate is its own workspace, not a stray
    // member of ours.
    let manifest = format!(
        "[package]\nname = \"integrator-{krate}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n{krate} = {{ path = {path:?} }}\n\n[workspace]\n"
    );
    let lib = format!(
        "#![no_std]\n//! Uses the crate alone, as an integrator would.\npub use {}::*;\n",
        krate.replace('-', "_")
    );
    write(&dir.join("Cargo.toml"), &manifest)?;
    write(&src.join("lib.rs"), &lib)
}

fn write(path: &Path, text: &str) -> StepResult {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
