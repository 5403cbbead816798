//! A serial port in two halves, as most HALs hand out a UART: [`Split`]
//! joins a receive half and a transmit half into one port for the front
//! ends, and gives them back as they were.

/// A receive half and a transmit half used as one port. The halves must
/// share their error type, as a UART's halves do.
#[derive(Debug)]
pub struct Split<R, W> {
    /// The receive half.
    pub rx: R,
    /// The transmit half.
    pub tx: W,
}

impl<R, W> Split<R, W> {
    /// Joins `rx` and `tx`.
    pub fn new(rx: R, tx: W) -> Self {
        Split { rx, tx }
    }

    /// The halves, back.
    pub fn into_inner(self) -> (R, W) {
        (self.rx, self.tx)
    }
}

impl<R: embedded_io::ErrorType, W: embedded_io::ErrorType<Error = R::Error>> embedded_io::ErrorType
    for Split<R, W>
{
    type Error = R::Error;
}

impl<R: embedded_io::Read, W: embedded_io::ErrorType<Error = R::Error>> embedded_io::Read
    for Split<R, W>
{
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.rx.read(buf)
    }
}

impl<R: embedded_io::ReadReady, W: embedded_io::ErrorType<Error = R::Error>> embedded_io::ReadReady
    for Split<R, W>
{
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        self.rx.read_ready()
    }
}

impl<R: embedded_io::ErrorType, W: embedded_io::Write<Error = R::Error>> embedded_io::Write
    for Split<R, W>
{
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.tx.write(buf)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.tx.flush()
    }
}

#[cfg(feature = "async")]
impl<R: embedded_io_async::Read, W: embedded_io::ErrorType<Error = R::Error>>
    embedded_io_async::Read for Split<R, W>
{
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.rx.read(buf).await
    }
}

#[cfg(feature = "async")]
impl<R: embedded_io::ErrorType, W: embedded_io_async::Write<Error = R::Error>>
    embedded_io_async::Write for Split<R, W>
{
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.tx.write(buf).await
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.tx.flush().await
    }
}
