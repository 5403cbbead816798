//! The Pico's side of the device: what `isocket_device::Board` asks of
//! the chip, on its registers (the watchdog and its scratch registers, the
//! UART halves, the DMA ring, the PIO 1-Wire bus, the flash). main.rs only
//! sets the peripherals up.

use defmt::warn;
use embassy_rp::flash::{Blocking, Flash};
use embassy_rp::gpio::{Input, Output};
use embassy_rp::peripherals::FLASH;
use embassy_rp::uart::{self, UartRx, UartTx};
use embassy_rp::watchdog::{ResetReason, Watchdog};
use embassy_time::{Duration, Instant};
use isocket_device::WATCHDOG_MS;
use isocket_device::board::{Board, Inputs, Levels, Pins, RETAINED_WORDS, ResetCause, RtsHeld};
use isocket_device::probe;
use isocket_proto::Probe;
use isocket_sensors::ds18b20::Thermometer;
use isocket_storage::NorFlashStore;

use crate::FLASH_SIZE;
use crate::onewire::PioBus;
use crate::rx_ring::RxRing;

/// The watchdog scratch registers holding the retained words: 0-3 and 5-6.
/// The bootrom acts on a watchdog reset only if SCRATCH4 holds its magic
/// (then it jumps to SCRATCH6, checked by SCRATCH7): 4 and 7 stay ours to
/// leave alone, so no word of ours can ever send the bootrom anywhere.
pub const SCRATCH: [usize; RETAINED_WORDS] = [0, 1, 2, 3, 5, 6];

/// The settings store, on flash that holds the modem's RTS while busy.
pub type Store =
    NorFlashStore<RtsHeld<Flash<'static, FLASH, Blocking, FLASH_SIZE>, Output<'static>>>;

/// The Pico's side of the device.
pub struct Pico {
    pub pins: Pins<Output<'static>, Input<'static>>,
    pub tx: UartTx<'static, uart::Blocking>,
    /// Keeps UART0's RX pin configured; the bytes come through `rx`.
    pub _uart_rx: UartRx<'static, uart::Blocking>,
    pub rx: RxRing,
    pub thermometer: Thermometer<PioBus>,
    pub store: Option<Store>,
    pub watchdog: Watchdog,
}

impl Board for Pico {
    type Store = Store;
    /// GP9 drives the modem's RTS around flash writes (`RtsHeld`).
    const MODEM_RTS: bool = true;

    fn now_ms(&mut self) -> u64 {
        Instant::now().as_millis()
    }

    fn modem_read(&mut self, buf: &mut [u8]) -> usize {
        let (n, lost) = self.rx.read(buf);
        if lost > 0 {
            warn!("modem UART: {} bytes lost (loop stalled)", lost);
        }
        n
    }

    fn modem_write(&mut self, bytes: &[u8]) {
        // Waits for the FIFO (an SMS: ~20 ms); reception goes on by DMA.
        let _ = self.tx.blocking_write(bytes);
    }

    fn inputs(&mut self) -> Inputs {
        self.pins.inputs()
    }

    fn set_levels(&mut self, levels: &Levels) {
        self.pins.set(levels);
    }

    fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe> {
        probe::start(Some(&mut self.thermometer), now_ms)
    }

    fn probe_read(&mut self, now_ms: u64) -> Option<Probe> {
        probe::read(Some(&mut self.thermometer), now_ms)
    }

    fn store(&mut self) -> Option<&mut Store> {
        self.store.as_mut()
    }

    fn reset_cause(&mut self) -> ResetCause {
        // WATCHDOG.REASON is cleared by a power-on, brown-out or RUN-pin
        // reset; FORCE is our own reboot (trigger_reset) or the bootrom's
        // after a UF2 copy.
        match self.watchdog.reset_reason() {
            None => ResetCause::PowerOn,
            Some(ResetReason::TimedOut) => ResetCause::Watchdog,
            Some(ResetReason::Forced) => ResetCause::Other,
        }
    }

    fn retained(&mut self) -> [u32; RETAINED_WORDS] {
        SCRATCH.map(|i| self.watchdog.get_scratch(i))
    }

    fn retain(&mut self, words: &[u32; RETAINED_WORDS]) {
        for (i, word) in SCRATCH.into_iter().zip(words) {
            self.watchdog.set_scratch(i, *word);
        }
    }

    fn feed_watchdog(&mut self) {
        self.watchdog
            .feed(Duration::from_millis(WATCHDOG_MS.into()));
    }

    #[cfg(feature = "usb")]
    fn log(&mut self, output: &isocket_device::Output) {
        crate::usb_log::output(output);
    }

    fn reboot(&mut self) {
        self.watchdog.trigger_reset();
        loop {
            cortex_m::asm::nop();
        }
    }
}
