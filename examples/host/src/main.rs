//! `isocket-host`: the interactive simulator (no arguments) and the scenario
//! runner (`script FILE...`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.split_first() {
        None => isocket_host::interactive::run(),
        Some((command, options)) if command == "run" => {
            match isocket_host::run::parse_args(options) {
                Ok(options) => isocket_host::run::run(&options),
                Err(e) => {
                    eprintln!("isocket-host run: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Some((command, options)) if command == "attacks" => {
            if isocket_host::attacks::main(options) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Some((command, options)) if command == "e2e" => match isocket_host::e2e::main(options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("isocket-host e2e: {e}");
                ExitCode::FAILURE
            }
        },
        Some((command, options)) if command == "pico" => match isocket_host::pico::main(options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("isocket-host pico: {e}");
                ExitCode::FAILURE
            }
        },
        Some((command, files)) if command == "script" && !files.is_empty() => {
            let (through_at, files) = match files.split_first() {
                Some((flag, rest)) if flag == "--through-at" => (true, rest),
                _ => (false, files),
            };
            if isocket_host::script::run_files(files, through_at) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        _ => {
            eprintln!("usage: isocket-host                 interactive simulator");
            eprintln!("       isocket-host script [--through-at] FILE...  run scenario files");
            eprintln!("       isocket-host run --modem /dev/ttyUSB0 [--baud 115200]");
            eprintln!("                    [--profile NAME] [--state DIR]");
            eprintln!("  profiles: {}", isocket_host::run::profile_names());
            eprintln!("       isocket-host attacks [--all] [NAME...]  the attack suite");
            eprintln!("       isocket-host e2e --modem HOST:PORT --console HOST:PORT");
            eprintln!(
                "       isocket-host pico --elf FILE --harness DIR --wiring CSV --scenario FILE"
            );
            ExitCode::from(2)
        }
    }
}
