//! The Black Pill's side of the device: what `isocket_device::Board` asks
//! of the chip (USART1 with its DMA ring, the IWDG, the reset flags, the
//! RTC and its backup registers, the DS18B20 on USART2, the flash behind
//! RTS). main.rs only sets the peripherals up.

use core::task::Poll;

use defmt::warn;
use embassy_futures::poll_once;
use embassy_stm32::flash::{Bank1Region1, Blocking};
use embassy_stm32::gpio::{Input, Output};
use embassy_stm32::mode::Async;
use embassy_stm32::peripherals;
use embassy_stm32::usart::{RingBufferedUartRx, UartTx};
use embassy_stm32::wdg::IndependentWatchdog;
use embassy_time::{Delay, Instant};
use isocket_device::board::{Board, Inputs, Levels, Pins, RETAINED_WORDS, ResetCause, RtsHeld};
use isocket_device::probe;
use isocket_proto::Probe;
use isocket_sensors::ds18b20::Thermometer;
use isocket_sensors::onewire::uart::UartBus;
use isocket_storage::NorFlashStore;

use crate::backup;
use crate::onewire_uart::OneWireUart;

/// The settings store, on flash that holds the modem's RTS while busy.
pub type Store = NorFlashStore<RtsHeld<Bank1Region1<'static, Blocking>, Output<'static>>>;
/// The DS18B20 on USART2 half-duplex (AN214).
pub type Probe1w = Thermometer<UartBus<OneWireUart<'static>, Delay>>;

/// The Black Pill's side of the device.
pub struct BlackPill<'d> {
    pub tx: UartTx<'d, Async>,
    pub rx: RingBufferedUartRx<'d>,
    pub pins: Pins<Output<'d>, Input<'d>>,
    pub thermometer: Option<Probe1w>,
    pub store: Option<Store>,
    pub watchdog: IndependentWatchdog<'d, peripherals::IWDG>,
    pub cause: ResetCause,
    /// The RTC runs on the LSE.
    pub rtc: bool,
}

impl Board for BlackPill<'_> {
    type Store = Store;
    /// PB10 drives the modem's RTS around flash writes (`RtsHeld`).
    const MODEM_RTS: bool = true;

    fn now_ms(&mut self) -> u64 {
        Instant::now().as_millis()
    }

    fn modem_read(&mut self, buf: &mut [u8]) -> usize {
        // Whatever the DMA put in the ring: never wait for more.
        match poll_once(self.rx.read(buf)) {
            Poll::Ready(Ok(n)) => n,
            Poll::Ready(Err(e)) => {
                // The ring overran (or a framing/noise error): reception
                // restarts at the next read.
                warn!("modem UART: {}", e);
                0
            }
            Poll::Pending => 0,
        }
    }

    fn modem_write(&mut self, bytes: &[u8]) {
        if let Err(e) = self.tx.blocking_write(bytes) {
            warn!("modem UART: {}", e);
        }
    }

    fn inputs(&mut self) -> Inputs {
        self.pins.inputs()
    }

    fn set_levels(&mut self, levels: &Levels) {
        self.pins.set(levels);
    }

    fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe> {
        probe::start(self.thermometer.as_mut(), now_ms)
    }

    fn probe_read(&mut self, now_ms: u64) -> Option<Probe> {
        probe::read(self.thermometer.as_mut(), now_ms)
    }

    fn store(&mut self) -> Option<&mut Store> {
        self.store.as_mut()
    }

    fn reset_cause(&mut self) -> ResetCause {
        self.cause
    }

    fn retained(&mut self) -> [u32; RETAINED_WORDS] {
        backup::retained()
    }

    fn retain(&mut self, words: &[u32; RETAINED_WORDS]) {
        backup::retain(words);
    }

    fn rtc_seconds(&mut self) -> Option<u32> {
        self.rtc.then(backup::seconds).flatten()
    }

    fn feed_watchdog(&mut self) {
        self.watchdog.pet();
    }

    fn reboot(&mut self) {
        cortex_m::peripheral::SCB::sys_reset();
    }
}
