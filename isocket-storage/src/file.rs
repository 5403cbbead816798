//! A store in files (feature `std`): one file per kind in a directory, the
//! value followed by its CRC-32. Each save writes a temporary file, fsyncs
//! it, renames it over the old one and fsyncs the directory, so a power cut
//! leaves the old file or the new one.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::crc32::crc32;
use crate::{Error, Kind, Store, kind_index};

/// A [`Store`] in a directory of the host's file system.
#[derive(Clone, Debug)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    /// Uses `dir`, creating it if needed.
    pub fn open(dir: impl AsRef<Path>) -> io::Result<Self> {
        fs::create_dir_all(dir.as_ref())?;
        Ok(Self {
            dir: dir.as_ref().to_path_buf(),
        })
    }

    fn path(&self, kind: Kind, extension: &str) -> PathBuf {
        self.dir.join(format!("record-{kind:02}.{extension}"))
    }
}

impl Store for FileStore {
    type Error = io::Error;

    fn read_bytes(
        &mut self,
        kind: Kind,
        buf: &mut [u8],
    ) -> Result<Option<usize>, Error<io::Error>> {
        kind_index::<io::Error>(kind)?;
        let data = match fs::read(self.path(kind, "bin")) {
            Ok(data) => data,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::Device(e)),
        };
        let (value, crc) = data
            .split_at_checked(data.len().saturating_sub(4))
            .ok_or(Error::Corrupt)?;
        let crc = <[u8; 4]>::try_from(crc).map_err(|_| Error::Corrupt)?;
        if crc32(value) != u32::from_le_bytes(crc) {
            return Err(Error::Corrupt);
        }
        buf.get_mut(..value.len())
            .ok_or(Error::TooLarge)?
            .copy_from_slice(value);
        Ok(Some(value.len()))
    }

    fn write_bytes(&mut self, kind: Kind, bytes: &[u8]) -> Result<(), Error<io::Error>> {
        kind_index::<io::Error>(kind)?;
        let temporary = self.path(kind, "tmp");
        let mut file = fs::File::create(&temporary).map_err(Error::Device)?;
        file.write_all(bytes).map_err(Error::Device)?;
        file.write_all(&crc32(bytes).to_le_bytes())
            .map_err(Error::Device)?;
        file.sync_all().map_err(Error::Device)?;
        fs::rename(&temporary, self.path(kind, "bin")).map_err(Error::Device)?;
        // The rename itself is durable once the directory is synced.
        #[cfg(unix)]
        fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(Error::Device)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RelayBaseState;

    #[test]
    fn saves_survive_reopening_and_corruption_is_an_error() {
        let dir = std::env::temp_dir().join(format!("isocket-storage-{}", std::process::id()));
        let mut store = FileStore::open(&dir).unwrap();
        assert!(store.load::<RelayBaseState>().unwrap().is_none());
        store.save(&RelayBaseState { on: true }).unwrap();
        let mut store = FileStore::open(&dir).unwrap();
        assert_eq!(store.load().unwrap(), Some(RelayBaseState { on: true }));
        fs::write(store.path(1, "bin"), [1, 1, 0, 0, 0, 0]).unwrap();
        assert!(matches!(
            store.load::<RelayBaseState>(),
            Err(Error::Corrupt)
        ));
        fs::write(store.path(1, "bin"), [1]).unwrap();
        assert!(matches!(
            store.load::<RelayBaseState>(),
            Err(Error::Corrupt)
        ));
        fs::remove_dir_all(&dir).unwrap();
    }
}
