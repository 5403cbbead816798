//! A store in RAM: the [`Store`] contract without a medium, for engine
//! tests and the host simulator. (To simulate flash, power cuts included,
//! use a [`crate::NorFlashStore`] on a [`crate::RamFlash`].)

use core::convert::Infallible;

use crate::{Error, Kind, MAX_KINDS, MAX_VALUE_LEN, Store, kind_index};

/// Keeps the last value of each kind in RAM (8 KiB).
#[derive(Clone, Debug)]
pub struct RamStore {
    values: [Option<([u8; MAX_VALUE_LEN], usize)>; MAX_KINDS],
}

impl Default for RamStore {
    fn default() -> Self {
        Self::new()
    }
}

impl RamStore {
    /// An empty store: every kind reads `None`.
    pub fn new() -> Self {
        Self {
            values: [None; MAX_KINDS],
        }
    }
}

impl Store for RamStore {
    type Error = Infallible;

    fn read_bytes(
        &mut self,
        kind: Kind,
        buf: &mut [u8],
    ) -> Result<Option<usize>, Error<Infallible>> {
        let Some((value, len)) = self.values.get(kind_index(kind)?).and_then(Option::as_ref) else {
            return Ok(None);
        };
        let value = value.get(..*len).ok_or(Error::TooLarge)?;
        buf.get_mut(..*len)
            .ok_or(Error::TooLarge)?
            .copy_from_slice(value);
        Ok(Some(*len))
    }

    fn write_bytes(&mut self, kind: Kind, bytes: &[u8]) -> Result<(), Error<Infallible>> {
        let slot = self
            .values
            .get_mut(kind_index(kind)?)
            .ok_or(Error::InvalidKind(kind))?;
        let mut value = [0; MAX_VALUE_LEN];
        value
            .get_mut(..bytes.len())
            .ok_or(Error::TooLarge)?
            .copy_from_slice(bytes);
        *slot = Some((value, bytes.len()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RelayBaseState;

    #[test]
    fn keeps_the_last_value_of_each_kind() {
        let mut store = RamStore::new();
        assert_eq!(store.load::<RelayBaseState>(), Ok(None));
        store.save(&RelayBaseState { on: true }).unwrap();
        store.save(&RelayBaseState { on: false }).unwrap();
        assert_eq!(store.load(), Ok(Some(RelayBaseState { on: false })));
        assert_eq!(store.write_bytes(16, &[1]), Err(Error::InvalidKind(16)));
        assert_eq!(
            store.write_bytes(0, &[0; MAX_VALUE_LEN + 1]),
            Err(Error::TooLarge)
        );
    }
}
