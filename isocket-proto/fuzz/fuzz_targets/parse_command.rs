//! Framing and parsing of arbitrary SMS text: never a panic, and whatever
//! parses prints a canonical form that parses back to the same command and
//! renders a GSM-7 confirmation.
#![no_main]

use isocket_proto::{Command, Password, Reply, frame, gsm7};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(sms) = core::str::from_utf8(data) else {
        return;
    };
    let password = Password::parse("12ABC");
    for stored in [None, password.as_ref()] {
        let Ok(text) = frame(stored, sms) else {
            continue;
        };
        match text.parse::<Command>() {
            Ok(command) => {
                let canonical = command.to_string();
                assert_eq!(
                    canonical.parse::<Command>().as_ref(),
                    Ok(&command),
                    "{canonical}"
                );
                let confirmation = Reply::Confirmed(&command).to_string();
                assert!(gsm7::is_gsm7_text(&confirmation), "{confirmation:?}");
            }
            Err(_) => {
                let reply = Reply::UnknownCommand(text).to_string();
                assert!(gsm7::is_gsm7_text(&reply), "{reply:?}");
            }
        }
    }
});
