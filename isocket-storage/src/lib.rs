//! # isocket-storage
//!
//! Persistence for the smart socket: the engine's settings, the relay base
//! state (manual §13) and the alarm log (manual §11), `no_std` without alloc.
//!
//! Section numbers (manual §9) refer to the [isocket user manual], which
//! states every command, reply text and behaviour of the device.
//!
//! [isocket user manual]: https://github.com/isocket/isocket/blob/main/docs/manual.md
//!
//! A [`Store`] keeps the last committed value of each record *kind* (a small
//! number, below [`MAX_KINDS`]). Typed records implement [`Record`] and are
//! encoded with postcard behind a one-byte format version ([`encoding`]).
//! Implementations:
//!
//! - [`NorFlashStore`]: power-fail-safe, wear-levelled log on any
//!   embedded-storage 0.3 `NorFlash` that writes every record twice, so one
//!   flipped bit anywhere loses nothing (see [`nor`] for the layout, bit
//!   rot, why it is our own log rather than sequential-storage, and the
//!   wear budget);
//! - [`RamStore`]: the same contract in RAM, for tests and the simulator;
//! - `FileStore` (feature `std`): one file per kind, write + fsync + rename.
//!
//! [`RamFlash`] is a `NorFlash` in RAM that enforces write-once words and
//! alignment and can cut the power after N bytes, for power-cut tests.
//!
//! Loading at boot tells a new device from a damaged one: `Ok(None)` means
//! the kind was never saved (a new or erased store: use the factory
//! default); [`Error::Corrupt`] means the store holds data but no readable
//! copy of it. Do not treat that as "never saved": isocket boots *locked*
//! then, because factory settings would open the socket to anyone. A saved
//! value is never lost to a power cut during a later save, nor to one
//! flipped bit.
//!
//! Decisions: values are at most
//! [`MAX_VALUE_LEN`] (512) bytes and kinds below [`MAX_KINDS`] (16), which
//! bounds RAM (one record buffer) and the wear budget; [`kinds`] fixes the
//! numbers isocket uses; [`RelayBaseState`] lives here because the relay
//! base state is storage's own concern (manual §13); the engine's settings and
//! alarm log types implement [`Record`] wherever they are defined.
//!
//! ```
//! use isocket_storage::{NorFlashStore, RamFlash, Record, RelayBaseState, Store};
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq, Default)]
//! struct Settings { password: u16, alerts: bool }
//! impl Record for Settings { const KIND: u8 = isocket_storage::kinds::SETTINGS; }
//!
//! // Two 4 KiB sectors of (simulated) flash.
//! let flash = RamFlash::<8192>::new();
//! let mut store = NorFlashStore::open(flash, 0..8192)?;
//! assert_eq!(store.load::<Settings>()?, None); // blank: factory defaults
//!
//! store.save(&Settings { password: 1234, alerts: true })?;
//! store.save(&RelayBaseState { on: true })?;
//!
//! // Reboot: open the same flash again.
//! let mut store = NorFlashStore::open(store.into_inner(), 0..8192)?;
//! assert_eq!(store.load::<Settings>()?, Some(Settings { password: 1234, alerts: true }));
//! assert_eq!(store.load::<RelayBaseState>()?, Some(RelayBaseState { on: true }));
//! # Ok::<(), isocket_storage::Error<isocket_storage::ram_flash::RamFlashError>>(())
//! ```
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod crc32;
pub mod encoding;
#[cfg(feature = "std")]
mod file;
pub mod nor;
mod ram;
pub mod ram_flash;

#[cfg(feature = "std")]
pub use file::FileStore;
pub use nor::NorFlashStore;
pub use ram::RamStore;
pub use ram_flash::RamFlash;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// Identifies what a stored value is: one per record type.
pub type Kind = u8;

/// How many kinds a store keeps (kinds are `0..MAX_KINDS`).
pub const MAX_KINDS: usize = 16;

/// The longest encoded value, format version byte included.
pub const MAX_VALUE_LEN: usize = 512;

/// The kinds isocket itself uses.
pub mod kinds {
    use super::Kind;
    /// The engine's settings.
    pub const SETTINGS: Kind = 0;
    /// The relay base state ([`super::RelayBaseState`]).
    pub const RELAY_BASE_STATE: Kind = 1;
    /// The alarm log.
    pub const ALARM_LOG: Kind = 2;
}

/// A value a [`Store`] keeps, under its own kind.
pub trait Record: Serialize + DeserializeOwned {
    /// Where the record lives; unique per record type, below [`MAX_KINDS`].
    const KIND: Kind;
}

/// The relay's base state, saved whenever it changes (manual §13).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RelayBaseState {
    /// The relay is on.
    pub on: bool,
}

impl Record for RelayBaseState {
    const KIND: Kind = kinds::RELAY_BASE_STATE;
}

/// What can go wrong loading or saving; `E` is the device's own error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E> {
    /// The flash or file system failed.
    #[error("storage device error: {0:?}")]
    Device(E),
    /// The medium holds data, but no valid copy of it.
    #[error("stored data is corrupt and no valid copy remains")]
    Corrupt,
    /// A kind at or above [`MAX_KINDS`].
    #[error("record kind {0} out of range")]
    InvalidKind(Kind),
    /// The encoded value is longer than [`MAX_VALUE_LEN`] (or the buffer).
    #[error("record too large")]
    TooLarge,
    /// The latest value of every kind does not fit in one flash sector.
    #[error("records do not fit in one sector")]
    Full,
    /// The flash region is not usable (alignment, size, write granularity).
    #[error("flash region not usable")]
    BadRegion,
    /// A value written by a newer, unknown format.
    #[error("unsupported record format version {0}")]
    UnsupportedVersion(u8),
    /// The value does not decode as the requested type.
    #[error("record does not decode")]
    Decode,
}

impl<E> Error<E> {
    /// The same error with the device's error converted, for a store that
    /// wraps another (and reports its own device error).
    ///
    /// ```
    /// use isocket_storage::Error;
    /// let e: Error<u8> = Error::Device(5);
    /// assert_eq!(e.map_device(|code| code > 3), Error::Device(true));
    /// assert_eq!(Error::<u8>::Full.map_device(|_| ()), Error::Full);
    /// ```
    pub fn map_device<F>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        match self {
            Error::Device(e) => Error::Device(f(e)),
            Error::Corrupt => Error::Corrupt,
            Error::InvalidKind(kind) => Error::InvalidKind(kind),
            Error::TooLarge => Error::TooLarge,
            Error::Full => Error::Full,
            Error::BadRegion => Error::BadRegion,
            Error::UnsupportedVersion(v) => Error::UnsupportedVersion(v),
            Error::Decode => Error::Decode,
        }
    }
}

/// A place that keeps the last committed value of each record kind.
///
/// Implementations provide the byte layer; [`Store::load`] and
/// [`Store::save`] add the typed, versioned encoding on top.
pub trait Store {
    /// The device's error.
    type Error;

    /// Copies the last committed value of `kind` into `buf`; returns its
    /// length, or `None` when the kind was never saved.
    fn read_bytes(
        &mut self,
        kind: Kind,
        buf: &mut [u8],
    ) -> Result<Option<usize>, Error<Self::Error>>;

    /// Commits `bytes` as the value of `kind`. When this returns, the value
    /// is durable; if power fails before, the previous value remains.
    fn write_bytes(&mut self, kind: Kind, bytes: &[u8]) -> Result<(), Error<Self::Error>>;

    /// Loads the record `R`: `Ok(None)` when it was never saved.
    fn load<R: Record>(&mut self) -> Result<Option<R>, Error<Self::Error>> {
        let mut buf = [0; MAX_VALUE_LEN];
        match self.read_bytes(R::KIND, &mut buf)? {
            None => Ok(None),
            Some(len) => encoding::decode(buf.get(..len).ok_or(Error::TooLarge)?).map(Some),
        }
    }

    /// Loads `R`, or its default when it was never saved.
    fn load_or_default<R: Record + Default>(&mut self) -> Result<R, Error<Self::Error>> {
        self.load().map(Option::unwrap_or_default)
    }

    /// Saves the record `R`.
    fn save<R: Record>(&mut self, record: &R) -> Result<(), Error<Self::Error>> {
        let mut buf = [0; MAX_VALUE_LEN];
        let bytes = encoding::encode(record, &mut buf)?;
        self.write_bytes(R::KIND, bytes)
    }
}

/// Checks a kind against [`MAX_KINDS`]; returns it as an index.
fn kind_index<E>(kind: Kind) -> Result<usize, Error<E>> {
    let index = usize::from(kind);
    if index < MAX_KINDS {
        Ok(index)
    } else {
        Err(Error::InvalidKind(kind))
    }
}

/// The README's example runs as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
