#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The attack suite (`isocket_host::attacks`), one test per attack: each
//! runs the whole device loop against the emulated SIM800 and must hold.
//! An attack whose fix has not landed is `#[ignore]`d with the fix it
//! waits for (`cargo test -p isocket-host --test attacks -- --ignored`
//! shows where it breaks through); `cargo xtask attacks` writes every
//! outcome into RELIABILITY.md.

use isocket_host::attacks::{self, Status};

fn attack(name: &str) {
    let attack = attacks::find(name).unwrap_or_else(|| panic!("no attack {name}"));
    let outcome = attacks::run(&attack);
    assert!(outcome.held(), "{}", attacks::line(&attack, &outcome));
}

#[test]
fn alphanumeric_sender_id() {
    attack("alphanumeric-sender-id");
}

#[test]
fn national_sender() {
    attack("national-sender");
}

#[test]
fn short_code_sender() {
    attack("short-code-sender");
}

#[test]
fn short_number_unknown_type() {
    attack("short-number-unknown-type");
}

#[test]
fn hidden_caller() {
    attack("hidden-caller");
}

#[test]
fn text_mode_clip_body() {
    attack("text-mode-clip-body");
}

#[test]
fn text_mode_rdy_body() {
    attack("text-mode-rdy-body");
}

#[test]
fn concatenated_part_missing() {
    attack("concatenated-part-missing");
}

#[test]
fn hostile_pdus() {
    attack("hostile-pdus");
}

#[test]
fn over_long_text() {
    attack("over-long-text");
}

#[test]
fn ucs2_nul() {
    attack("ucs2-nul");
}

#[test]
fn control_characters() {
    attack("control-characters");
}

#[test]
fn password_case_variants() {
    attack("password-case-variants");
}

#[test]
fn ussd_injection() {
    attack("ussd-injection");
}

#[test]
fn sms_flood() {
    attack("sms-flood");
}

#[test]
fn sim_full_flood() {
    attack("sim-full-flood");
}

#[test]
fn call_hammering() {
    attack("call-hammering");
}

#[test]
fn reassembly_slots_held() {
    attack("reassembly-slots-held");
}

#[test]
fn unsendable_replies() {
    attack("unsendable-replies");
}

#[test]
fn password_rotation() {
    attack("password-rotation");
}

#[test]
fn alerts_to_ten() {
    attack("alerts-to-ten");
}

#[test]
fn stranger_no_carrier() {
    attack("stranger-no-carrier");
}

#[test]
fn flash_bit_flip() {
    attack("flash-bit-flip");
}

#[test]
fn unreadable_settings() {
    attack("unreadable-settings");
}

#[test]
fn clock_by_rejected_sms() {
    attack("clock-by-rejected-sms");
}

#[test]
fn error_budget_by_stranger() {
    attack("error-budget-by-stranger");
}

#[test]
fn save_never_answered() {
    attack("save-never-answered");
}

#[test]
fn confirmed_before_durable() {
    attack("confirmed-before-durable");
}

/// Every attack has its test above, ignored exactly when it is open.
#[test]
fn every_attack_has_its_test() {
    let source = include_str!("attacks.rs");
    for attack in attacks::all() {
        let call = format!("attack(\"{}\");", attack.name);
        let at = source
            .find(&call)
            .unwrap_or_else(|| panic!("no test runs {}", attack.name));
        let before: Vec<&str> = source[..at].lines().rev().take(4).collect();
        let ignored = before.iter().any(|l| l.starts_with("#[ignore"));
        assert_eq!(
            ignored,
            matches!(attack.status, Status::Open(_)),
            "{}: #[ignore] exactly when the attack is open",
            attack.name
        );
    }
}
