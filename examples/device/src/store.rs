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
//! To add version N+1: keep a frozen copy of today's types as
//! `SettingsVN` (serde derives, same field order), decode version N into
//! it and convert it into `Settings`; bump [`SETTINGS_VERSION`]; commit the
//! bytes of the rich value as `tests/golden/settings_vN+1.bin` next to the
//! old ones.

use isocket_engine::{AlarmLog, Engine, Record, Settings, Stored};
use isocket_storage::{MAX_VALUE_LEN, RelayBaseState, Store, encoding, kinds};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The layout version of the settings this firmware writes.
///
/// Version 1: `Settings` as first released (SECNUMBER and ALERTNUMBER
/// entries as bare numbers).
pub const SETTINGS_VERSION: u8 = 1;

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
    match bytes.split_first()? {
        (&SETTINGS_VERSION, body) => encoding::decode_body::<Settings, ()>(body).ok(),
        _ => None,
    }
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
