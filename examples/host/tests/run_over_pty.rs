//! `isocket-host run --modem <pty>`: the real binary, the real serial code,
//! against the emulated modem on the other end of a pseudo-terminal. The
//! console is the child's standard input and output. SIGTERM ends it cleanly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::{Command, Stdio};
use std::time::Duration;

use isocket_host::e2e::{Conversation, lines_of};
use serialport::{SerialPort, TTYPort};

#[test]
fn run_mode_answers_through_a_pseudo_terminal() {
    let (mut master, slave) = TTYPort::pair().expect("a pseudo-terminal pair");
    master.set_timeout(Duration::from_millis(2)).unwrap();
    let slave_path = slave.name().expect("the slave's path");
    let state = std::env::temp_dir().join(format!("isocket-pty-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let mut child = Command::new(env!("CARGO_BIN_EXE_isocket-host"))
        .args(["run", "--modem", &slave_path, "--state"])
        .arg(&state)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("isocket-host starts");
    let events = lines_of(child.stdout.take().unwrap());
    let console = child.stdin.take().unwrap();
    let mut conversation = Conversation::new(master, console, events);
    let outcome = conversation.run();
    // SIGTERM: the loop must end cleanly.
    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    drop(slave);
    outcome.unwrap_or_else(|e| panic!("{e}\nconsole: {:?}", conversation.seen));
    assert!(terminated.is_ok_and(|s| s.success()));
    assert!(status.success(), "exit status {status}");
    // The settings survived in the state directory.
    assert!(std::fs::read_dir(&state).unwrap().count() >= 2);
    let _ = std::fs::remove_dir_all(&state);
}
