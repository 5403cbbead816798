//! The one boundary between the device and a board: [`Board`].
//!
//! A board supplies its modem UART, pins, DS18B20, settings store, clock,
//! watchdog and a few words that survive a reset; [`crate::Device`] does the
//! rest, the same on every board: the loop turn, the outputs, the LEDs, the
//! boot reason, the clock across resets, the boot-loop guard and the
//! shutdown on a mains failure.
//!
//! The wiring convention (examples/README.md, "Wiring"): outputs are active
//! high (relay, modem power, LEDs, battery hold); the alarm contact and the
//! button close to ground (low: closed, pressed); the mains sense is high
//! while mains is there. [`Pins`] applies it to any embedded-hal pins.

use embedded_hal::digital::{InputPin, OutputPin, PinState};
use embedded_storage::nor_flash::{ErrorType, NorFlash, ReadNorFlash};
use isocket_proto::Probe;
use isocket_storage::Store;

use crate::Output;

/// How many 32-bit words [`Board::retained`] keeps.
pub const RETAINED_WORDS: usize = 6;

/// The inputs, raw, as sampled now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inputs {
    /// The alarm contact is closed (debounced by the device).
    pub contact_closed: bool,
    /// The button is pressed (debounced by the device).
    pub button_pressed: bool,
    /// Mains is present (debounced by the device).
    pub mains_present: bool,
}

impl Default for Inputs {
    /// Idle: contact open, button up, mains present.
    fn default() -> Self {
        Inputs {
            contact_closed: false,
            button_pressed: false,
            mains_present: true,
        }
    }
}

/// The output levels, rendered by the device every turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels {
    /// The relay (`true`: socket on).
    pub relay: bool,
    /// POWER (green), GSM (blue), OUT (red) (`true`: lit).
    pub leds: [bool; 3],
    /// The modem's supply switch, or PWRKEY released (`true`).
    pub modem_power: bool,
    /// The battery hold (`false`: cut the battery supply).
    pub battery_hold: bool,
}

impl Default for Levels {
    /// The safe state a board sets before the first turn: everything off,
    /// the battery held.
    fn default() -> Self {
        Levels {
            relay: false,
            leds: [false; 3],
            modem_power: false,
            battery_hold: true,
        }
    }
}

/// Why the chip started, as far as its reset registers tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ResetCause {
    /// The supply came up: everything volatile, retained words too, is gone.
    PowerOn,
    /// The hardware watchdog expired.
    Watchdog,
    /// Anything else: the reset pin, a brown-out, a software reset. The
    /// device tells its own reboots apart with a retained mark.
    Other,
}

/// A board: what differs from chip to chip. Every method returns at once,
/// except [`Board::reboot`] on hardware.
pub trait Board {
    /// Where the settings live.
    type Store: Store;
    /// The inputs come debounced (hardware filters, a simulator): the
    /// device takes each change at once instead of waiting for it to hold.
    const DEBOUNCED: bool = false;
    /// The board's UART drives the modem's RTS from its receive FIFO, so
    /// the modem holds back while the board cannot take bytes (a flash
    /// write stalling the CPU): the modem is asked to obey it.
    const MODEM_RTS: bool = false;

    /// Milliseconds on the board's monotonic clock.
    fn now_ms(&mut self) -> u64;

    /// Copies bytes received from the modem into `buf` without waiting;
    /// returns how many (0: none now, or a UART error the board logged).
    fn modem_read(&mut self, buf: &mut [u8]) -> usize;
    /// Writes bytes to the modem (may wait for the UART to take them).
    fn modem_write(&mut self, bytes: &[u8]);

    /// The inputs, raw ([`Pins::inputs`] reads wired pins).
    fn inputs(&mut self) -> Inputs;
    /// Sets the outputs ([`Pins::set`] drives wired pins). Called every
    /// turn with the levels of that moment.
    fn set_levels(&mut self, levels: &Levels);

    /// Starts a DS18B20 conversion at `now_ms`: when it will be ready, or
    /// the failure to report at once.
    fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe>;
    /// The conversion's result once due; `None` while the probe is busy.
    fn probe_read(&mut self, now_ms: u64) -> Option<Probe>;

    /// The settings store; `None` when the board has none usable (nothing
    /// is then loaded, and every save fails).
    fn store(&mut self) -> Option<&mut Self::Store>;

    /// Why the chip started (asked once, at boot).
    fn reset_cause(&mut self) -> ResetCause;
    /// The words kept across a reset (watchdog scratch registers, backup
    /// registers, RTC memory, no-init RAM). After a power-on they may hold
    /// anything: the device checks them.
    fn retained(&mut self) -> [u32; RETAINED_WORDS];
    /// Keeps `words` for [`Board::retained`]; called when they change.
    fn retain(&mut self, words: &[u32; RETAINED_WORDS]);
    /// Seconds on a counter that keeps running across resets (an RTC), if
    /// the board has one: the clock then also survives the time the board
    /// was down. `None`: the clock is kept to within a turn, and a reset
    /// is taken as instant.
    fn rtc_seconds(&mut self) -> Option<u32> {
        None
    }

    /// Feeds the hardware watchdog: called at the end of every completed
    /// turn, and nowhere else. The board arms it at boot with
    /// [`crate::WATCHDOG_MS`].
    fn feed_watchdog(&mut self);
    /// Resets the chip. On hardware this does not return; a host or a
    /// simulator returns, and [`crate::Device::turn`] then says
    /// [`crate::Turn::Reboot`].
    fn reboot(&mut self);

    /// Every output, as the device carries it out: for logs and consoles.
    fn log(&mut self, output: &Output) {
        let _ = output;
    }
}

/// Pins wired the isocket way, on any embedded-hal pins.
pub struct Pins<O, I> {
    /// High: socket on.
    pub relay: O,
    /// High: modem on (PWRKEY released).
    pub modem_power: O,
    /// High: the battery keeps the board up.
    pub battery_hold: O,
    /// POWER (green), GSM (blue), OUT (red); high: lit.
    pub leds: [O; 3],
    /// Low: alarm contact closed.
    pub contact: I,
    /// Low: button pressed.
    pub button: I,
    /// High: mains present.
    pub mains: I,
}

impl<O: OutputPin, I: InputPin> Pins<O, I> {
    /// The inputs now. An input that fails to read is taken as idle: no
    /// alarm, no press, mains present (no shutdown on a read error).
    pub fn inputs(&mut self) -> Inputs {
        Inputs {
            contact_closed: self.contact.is_low().unwrap_or(false),
            button_pressed: self.button.is_low().unwrap_or(false),
            mains_present: self.mains.is_high().unwrap_or(true),
        }
    }

    /// Drives every output. The boards' pins cannot fail (`Infallible`);
    /// a pin that could has nothing better to do than try again next turn.
    pub fn set(&mut self, levels: &Levels) {
        let outputs = [
            (&mut self.relay, levels.relay),
            (&mut self.modem_power, levels.modem_power),
            (&mut self.battery_hold, levels.battery_hold),
        ];
        for (pin, on) in outputs {
            let _ = pin.set_state(PinState::from(on));
        }
        for (pin, on) in self.leds.iter_mut().zip(levels.leds) {
            let _ = pin.set_state(PinState::from(on));
        }
    }
}

/// A board's flash that holds the modem's RTS while it erases or writes:
/// the modem stops sending (it obeys RTS once [`Board::MODEM_RTS`] is set),
/// so a CPU that stalls on the flash loses no byte, however long the
/// erase. The few bytes the modem still sends after RTS rises land in the
/// board's receive buffer. RTS is a plain output here, low (ready) except
/// around each erase and write.
pub struct RtsHeld<F, P> {
    flash: F,
    rts: P,
}

impl<F, P: OutputPin> RtsHeld<F, P> {
    /// Wraps `flash`; `rts` is set low (ready) now.
    pub fn new(flash: F, mut rts: P) -> Self {
        let _ = rts.set_low();
        RtsHeld { flash, rts }
    }

    fn held<T>(&mut self, op: impl FnOnce(&mut F) -> T) -> T {
        let _ = self.rts.set_high();
        let result = op(&mut self.flash);
        let _ = self.rts.set_low();
        result
    }
}

impl<F: ErrorType, P> ErrorType for RtsHeld<F, P> {
    type Error = F::Error;
}

impl<F: ReadNorFlash, P> ReadNorFlash for RtsHeld<F, P> {
    const READ_SIZE: usize = F::READ_SIZE;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        self.flash.read(offset, bytes)
    }

    fn capacity(&self) -> usize {
        self.flash.capacity()
    }
}

impl<F: NorFlash, P: OutputPin> NorFlash for RtsHeld<F, P> {
    const WRITE_SIZE: usize = F::WRITE_SIZE;
    const ERASE_SIZE: usize = F::ERASE_SIZE;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        self.held(|flash| flash.erase(from, to))
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        self.held(|flash| flash.write(offset, bytes))
    }
}
