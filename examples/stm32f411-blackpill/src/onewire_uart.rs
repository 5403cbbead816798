//! The DS18B20's 1-Wire bus on USART2's single-wire half-duplex mode (TX
//! on PA2, open drain, the 4.7 kΩ pull-up kept), for
//! `isocket_sensors::onewire::uart::UartBus` (Maxim AN214): the USART's
//! clock times every slot, so interrupts cannot stretch one.

use embassy_stm32::mode::Blocking;
use embassy_stm32::usart::{ConfigError, Error, Uart};
use embassy_time::{Duration, Instant};
use embedded_hal_nb::nb;
use embedded_hal_nb::serial::Read as _;
use isocket_sensors::onewire::uart::HalfDuplex;

/// An echo takes one byte time: 1.04 ms at 9600 baud. Much longer: the
/// USART is stuck (no echo at all).
const ECHO_TIMEOUT: Duration = Duration::from_millis(5);

/// USART2 in single-wire half-duplex mode, receiver on during transmission
/// so that every byte sent comes back as the bus's echo.
pub struct OneWireUart<'d>(pub Uart<'d, Blocking>);

/// What can go wrong on the USART.
#[derive(Debug, Clone, Copy, PartialEq, Eq, defmt::Format)]
pub enum UartError {
    /// The baud rate cannot be made from the USART's clock.
    Baud,
    /// No echo came back in time.
    Timeout,
    /// Parity, noise or overrun on the echo.
    Line(Error),
}

impl From<ConfigError> for UartError {
    fn from(_: ConfigError) -> Self {
        UartError::Baud
    }
}

impl HalfDuplex for OneWireUart<'_> {
    type Error = UartError;

    fn set_baud_rate(&mut self, baud: u32) -> Result<(), UartError> {
        // The last exchange waited for its echo: the transmitter is idle.
        Ok(self.0.set_baudrate(baud)?)
    }

    fn exchange(&mut self, byte: u8) -> Result<u8, UartError> {
        // Whatever came before this byte is not its echo.
        for _ in 0..4 {
            if matches!(self.0.read(), Err(nb::Error::WouldBlock)) {
                break;
            }
        }
        self.0.blocking_write(&[byte]).map_err(UartError::Line)?;
        let since = Instant::now();
        let mut framing = false;
        loop {
            match self.0.read() {
                // A stop bit read low: the bus is held low.
                Ok(_) if framing => return Ok(0x00),
                Ok(echo) => return Ok(echo),
                // The data byte itself follows the error.
                Err(nb::Error::Other(Error::Framing)) => framing = true,
                Err(nb::Error::Other(e)) => return Err(UartError::Line(e)),
                Err(nb::Error::WouldBlock) if since.elapsed() > ECHO_TIMEOUT => {
                    return Err(UartError::Timeout);
                }
                Err(nb::Error::WouldBlock) => {}
            }
        }
    }
}
