//! The engine's records in an [`isocket_storage::Store`]: loaded at boot,
//! saved when the engine asks.

use isocket_engine::{AlarmLog, Engine, Record, Settings, Stored};
use isocket_storage::{MAX_VALUE_LEN, RelayBaseState, Store, encoding, kinds};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Loads everything the engine keeps. A record that was never saved, or
/// that no longer decodes, starts from its factory default: the device
/// must boot whatever the flash holds.
pub fn load<S: Store>(store: &mut S) -> Stored {
    Stored {
        settings: load_kind::<S, Settings>(store, kinds::SETTINGS).unwrap_or_default(),
        relay_on: store
            .load::<RelayBaseState>()
            .ok()
            .flatten()
            .is_some_and(|r| r.on),
        alarm_log: load_kind::<S, AlarmLog>(store, kinds::ALARM_LOG).unwrap_or_default(),
    }
}

fn load_kind<S: Store, T: DeserializeOwned>(store: &mut S, kind: u8) -> Option<T> {
    let mut buf = [0; MAX_VALUE_LEN];
    let len = store.read_bytes(kind, &mut buf).ok()??;
    encoding::decode::<T, S::Error>(buf.get(..len)?).ok()
}

/// Saves `record` from the engine; `true` once it is durable.
pub fn save<S: Store>(store: &mut S, engine: &Engine, record: Record) -> bool {
    match record {
        Record::Settings => save_kind(store, kinds::SETTINGS, engine.settings()),
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
