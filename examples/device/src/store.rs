//! The engine's records in an [`isocket_storage::Store`]: loaded at boot,
//! saved when the engine asks.
//!
//! # Settings versions
//!
//! The byte in front of the settings is their layout version
//! ([`SETTINGS_VERSION`]). Every change to the layout of `Settings` (or of
//! a type in it) bumps it and adds a migration from the previous version to
//! [`decode_settings`], with a golden test that loads the previous
//! version's bytes (`tests/settings_versions.rs`): a firmware upgrade never
//! finds its settings unreadable, so it never locks a socket.
//!
//! To add version N+1: write `vN_to_vN+1`, which turns the bytes of
//! version N into those of version N+1 (postcard's layout is simple and
//! fixed: see [`v1_to_v2`]), and chain it in [`decode_settings`]; bump
//! [`SETTINGS_VERSION`]; commit the bytes of the test's rich value as
//! `tests/golden/settings_vN+1.bin` next to the old ones, and test that
//! every older file loads as it should. Working on the bytes keeps no copy
//! of the old types in the firmware (the boards have little flash to
//! spare); a frozen copy of the old `Settings` with serde derives is the
//! alternative when a change is more than inserting fields.

use heapless::Vec;
use isocket_engine::{ALERT_NUMBERS, AlarmLog, Engine, Record, SEC_NUMBERS, Settings, Stored};
use isocket_proto::Password;
use isocket_proto::number::PHONE_DIGITS;
use isocket_storage::{MAX_VALUE_LEN, RelayBaseState, Store, encoding, kinds};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The layout version of the settings this firmware writes.
///
/// - Version 1: `Settings` as first released (SECNUMBER and ALERTNUMBER
///   entries as bare numbers).
/// - Version 2: every SECNUMBER and ALERTNUMBER entry keeps the type of
///   address it was added with; the numbers that gave the right password
///   lately (manual §19) at the end.
pub const SETTINGS_VERSION: u8 = 2;

/// A migrated value: its version's bytes and the fields a migration adds.
type Migrated = Vec<u8, { MAX_VALUE_LEN + 2 * SEC_NUMBERS + 8 }>;

/// Loads everything the engine keeps.
///
/// Settings never saved (a new or erased store) are the factory defaults;
/// settings saved but without a readable copy, or of a version this
/// firmware does not know, boot the engine locked (manual §8): a corrupt
/// flash never opens the socket. An unreadable relay state is off and an
/// unreadable alarm log empty.
pub fn load<S: Store>(store: &mut S) -> Stored {
    let mut buf = [0; MAX_VALUE_LEN];
    let settings = match store.read_bytes(kinds::SETTINGS, &mut buf) {
        Ok(None) => Some(Settings::default()),
        Ok(Some(len)) => buf.get(..len).and_then(decode_settings),
        Err(_) => None,
    };
    Stored {
        locked: settings.is_none(),
        settings: settings.unwrap_or_default(),
        relay_on: store
            .load::<RelayBaseState>()
            .ok()
            .flatten()
            .is_some_and(|r| r.on),
        alarm_log: load_kind::<S, AlarmLog>(store, kinds::ALARM_LOG).unwrap_or_default(),
    }
}

/// Decodes settings of any version this firmware knows, migrated to
/// today's layout; `None` for anything else.
pub fn decode_settings(bytes: &[u8]) -> Option<Settings> {
    let v2;
    let body = match bytes.split_first()? {
        (&SETTINGS_VERSION, body) => body,
        (&1, body) => {
            v2 = v1_to_v2(body)?;
            v2.as_slice()
        }
        _ => return None,
    };
    encoding::decode_body::<Settings, ()>(body).ok()
}

/// Settings version 1 to 2, on the postcard bytes: after each number of
/// both lists the type of address, international (the enum's first
/// variant, `0`): version 1 numbers were always dialled with a `+`. Then
/// the known numbers, new, empty (a length of `0`). Everything else is
/// copied; a value that does not have version 1's shape is `None`.
pub fn v1_to_v2(v1: &[u8]) -> Option<Migrated> {
    let mut v2 = Migrated::new();
    // SECLIST (a bool, one byte), then the SECNUMBER list.
    let (&sec_list_on, rest) = v1.split_first()?;
    v2.push(sec_list_on).ok()?;
    let rest = numbers_v1_to_v2(rest, SEC_NUMBERS, &mut v2)?;
    // PASSWORD: `0` for none, or `1` and its 5 characters.
    let password = match rest.first()? {
        0 => 1,
        1 => 1 + Password::LEN,
        _ => return None,
    };
    let (password, rest) = rest.split_at_checked(password)?;
    v2.extend_from_slice(password).ok()?;
    let rest = numbers_v1_to_v2(rest, ALERT_NUMBERS, &mut v2)?;
    v2.extend_from_slice(rest).ok()?;
    v2.push(0).ok()?;
    Some(v2)
}

/// Copies a list of at most `max` numbers (a count, then each number's
/// length and digits: all below 128, one byte each as postcard varints),
/// each followed by the international type; returns what follows it.
fn numbers_v1_to_v2<'a>(v1: &'a [u8], max: usize, v2: &mut Migrated) -> Option<&'a [u8]> {
    let (&count, mut rest) = v1.split_first()?;
    if usize::from(count) > max {
        return None;
    }
    v2.push(count).ok()?;
    for _ in 0..count {
        let (&len, after) = rest.split_first()?;
        let (digits, after) = after.split_at_checked(usize::from(len))?;
        if digits.is_empty() || digits.len() > PHONE_DIGITS {
            return None;
        }
        v2.push(len).ok()?;
        v2.extend_from_slice(digits).ok()?;
        v2.push(0).ok()?;
        rest = after;
    }
    Some(rest)
}

/// Encodes settings in today's layout, behind [`SETTINGS_VERSION`].
pub fn encode_settings<'a>(settings: &Settings, buf: &'a mut [u8]) -> Option<&'a [u8]> {
    encoding::encode_versioned::<_, ()>(SETTINGS_VERSION, settings, buf).ok()
}

fn load_kind<S: Store, T: DeserializeOwned>(store: &mut S, kind: u8) -> Option<T> {
    let mut buf = [0; MAX_VALUE_LEN];
    let len = store.read_bytes(kind, &mut buf).ok()??;
    encoding::decode::<T, S::Error>(buf.get(..len)?).ok()
}

/// Saves `record` from the engine; `true` once it is durable.
pub fn save<S: Store>(store: &mut S, engine: &Engine, record: Record) -> bool {
    match record {
        Record::Settings => {
            let mut buf = [0; MAX_VALUE_LEN];
            encode_settings(engine.settings(), &mut buf)
                .is_some_and(|bytes| store.write_bytes(kinds::SETTINGS, bytes).is_ok())
        }
        Record::Relay => store
            .save(&RelayBaseState {
                on: engine.relay_base_state(),
            })
            .is_ok(),
        Record::AlarmLog => save_kind(store, kinds::ALARM_LOG, engine.alarm_log()),
    }
}

fn save_kind<S: Store, T: Serialize>(store: &mut S, kind: u8, value: &T) -> bool {
    let mut buf = [0; MAX_VALUE_LEN];
    match encoding::encode::<T, S::Error>(value, &mut buf) {
        Ok(bytes) => store.write_bytes(kind, bytes).is_ok(),
        Err(_) => false,
    }
}
