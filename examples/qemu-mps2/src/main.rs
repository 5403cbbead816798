//! isocket on QEMU's mps2-an385 (Cortex-M3), for end-to-end tests.
//!
//! The same device loop as every board (`isocket_device::Device` on this
//! crate's `Board`), with the modem on CMSDK UART0 and a console on UART1
//! that speaks `isocket_device::testing::console`: hardware steps in
//! (`temp 21.5`, `input closed`, `power lost`, `reboot`, `hang`, ...),
//! event lines out (`boot …`, `relay on`, `led power on`, `sms-sent …`,
//! `call …`, `shutdown`). The CMSDK watchdog is armed and fed like a real
//! board's; resets are real system resets, and what survives them lives in
//! no-init RAM (`chip`). `ready` on the console says the firmware booted
//! and listens.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

mod chip;
mod uart;

use core::cell::Cell;
use core::fmt::Write as _;
use core::panic::PanicInfo;

use cortex_m::interrupt::Mutex;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::debug;
use isocket_device::board::{Board, Inputs, Levels, RETAINED_WORDS, ResetCause};
use isocket_device::testing::console::{self, Step};
use isocket_device::{Device, Output, Turn, WATCHDOG_MS};
use isocket_engine::{BoardInfo, Leds};
use isocket_modem::profile;
use isocket_proto::Probe;
use isocket_storage::NorFlashStore;

use chip::{Flash, Kept};
use uart::Port;

/// The mps2-an385's CPU clock in QEMU.
const CPU_HZ: u32 = 25_000_000;
/// A DS18B20's 12-bit conversion time.
const CONVERSION_MS: u64 = 750;
/// How long `button press` holds the button: past the 50 ms debounce.
const PRESS_MS: u64 = 200;
/// Console lines longer than this are not hardware steps.
const LINE: usize = 64;

/// Milliseconds since boot, counted by SysTick.
static MILLIS: Mutex<Cell<u64>> = Mutex::new(Cell::new(0));

#[exception]
fn SysTick() {
    cortex_m::interrupt::free(|cs| {
        let millis = MILLIS.borrow(cs);
        millis.set(millis.get().wrapping_add(1));
    });
}

fn millis() -> u64 {
    cortex_m::interrupt::free(|cs| MILLIS.borrow(cs).get())
}

#[entry]
fn main() -> ! {
    let (Some(mut core), Some((kept, flash, cause))) =
        (cortex_m::Peripherals::take(), chip::take())
    else {
        exit(debug::EXIT_FAILURE);
    };
    chip::watchdog_start(WATCHDOG_MS, CPU_HZ);
    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(CPU_HZ / 1000 - 1);
    core.SYST.clear_current();
    core.SYST.enable_counter();
    core.SYST.enable_interrupt();
    Port::Modem.init();
    Port::Console.init();

    let store = NorFlashStore::open(flash, 0..chip::FLASH_SIZE as u32).ok();
    let mut board = Qemu {
        kept,
        store,
        cause,
        button_until: 0,
        leds_shown: None,
        line: heapless::Vec::new(),
        overlong: false,
        off: false,
    };
    let info = BoardInfo {
        product: "isocket qemu-mps2",
        serial: heapless::String::try_from("qemu-mps2-0001").unwrap_or_default(),
    };
    let mut device = Device::boot(&mut board, info, &profile::SIM800);
    let _ = writeln!(Port::Console, "ready");
    loop {
        let step = board.console_steps();
        if step == Some(Step::Hang) {
            // A bug: nothing turns, nothing feeds. The watchdog resets.
            loop {
                cortex_m::asm::wfi();
            }
        }
        if step == Some(Step::Reboot) {
            board.kept.reset();
        }
        if let Turn::Again { at_ms } = device.turn(&mut board) {
            board.sleep_until(at_ms);
        }
        if board.off {
            // The battery is released and mains is gone: no power until
            // the console says `power restored`.
            board.wait_for_mains();
            board.kept.power_on();
        }
    }
}

/// The emulated board: inputs set by console steps, outputs printed there.
struct Qemu {
    /// Retained words and the world, in no-init RAM.
    kept: &'static mut Kept,
    store: Option<NorFlashStore<&'static mut Flash>>,
    cause: ResetCause,
    /// The button is held until then.
    button_until: u64,
    /// What the LED lines said last (`None`: nothing yet this boot).
    leds_shown: Option<Leds>,
    line: heapless::Vec<u8, LINE>,
    /// The current line was too long: ignored up to its end.
    overlong: bool,
    /// The supply is gone.
    off: bool,
}

impl Qemu {
    /// Applies the console's complete lines; returns a `reboot` or `hang`
    /// step for the loop.
    fn console_steps(&mut self) -> Option<Step> {
        while let Some(step) = self.next_step() {
            match step {
                Step::Reboot | Step::Hang => return Some(step),
                step => self.apply(step),
            }
        }
        None
    }

    fn apply(&mut self, step: Step) {
        match step {
            Step::Temp(_) | Step::TempNone => self.kept.world.temp = step,
            Step::Input { closed } => self.kept.world.contact_closed = closed,
            Step::ButtonPress => self.button_until = millis() + PRESS_MS,
            Step::ButtonHold { ms } => self.button_until = millis().saturating_add(ms),
            Step::PowerLost => self.kept.world.mains_present = false,
            Step::PowerRestored => self.kept.world.mains_present = true,
            // The main loop handles them.
            Step::Reboot | Step::Hang => {}
        }
    }

    /// The next hardware step from the console, if a whole line is there.
    fn next_step(&mut self) -> Option<Step> {
        let mut byte = [0u8; 1];
        while Port::Console.take(&mut byte) == 1 {
            match byte {
                [b'\n'] => {
                    let line = core::str::from_utf8(&self.line).unwrap_or("");
                    let step = if self.overlong {
                        Err(console::ConsoleError::UnknownStep)
                    } else {
                        console::parse(line.trim())
                    };
                    let blank = line.trim().is_empty() && !self.overlong;
                    self.line.clear();
                    self.overlong = false;
                    match step {
                        Ok(step) => return Some(step),
                        Err(_) if blank => {}
                        Err(e) => {
                            let _ = writeln!(Port::Console, "error: {e}");
                        }
                    }
                }
                [b] => {
                    if self.line.push(b).is_err() {
                        self.overlong = true;
                    }
                }
            }
        }
        None
    }

    /// Sleeps until `at_ms` or until a UART has bytes; SysTick wakes it every ms.
    fn sleep_until(&self, at_ms: u64) {
        while millis() < at_ms && !Port::Modem.pending() && !Port::Console.pending() {
            cortex_m::asm::wfi();
        }
    }

    /// No power: nothing runs until the console says `power restored`.
    fn wait_for_mains(&mut self) {
        loop {
            match self.next_step() {
                Some(Step::PowerRestored) => {
                    self.kept.world.mains_present = true;
                    return;
                }
                // The board has no power: other steps change what it will
                // find at boot, except the ones that need it running.
                Some(Step::Reboot | Step::Hang) | None => {}
                Some(step) => self.apply(step),
            }
            Port::Modem.discard();
            // Unpowered, nothing bites (QEMU's watchdog does not know).
            chip::watchdog_feed();
            cortex_m::asm::wfi();
        }
    }
}

impl Board for Qemu {
    type Store = NorFlashStore<&'static mut Flash>;

    fn now_ms(&mut self) -> u64 {
        millis()
    }

    fn modem_read(&mut self, buf: &mut [u8]) -> usize {
        Port::Modem.take(buf)
    }

    fn modem_write(&mut self, bytes: &[u8]) {
        Port::Modem.write_all(bytes);
    }

    fn inputs(&mut self) -> Inputs {
        Inputs {
            contact_closed: self.kept.world.contact_closed,
            button_pressed: millis() < self.button_until,
            mains_present: self.kept.world.mains_present,
        }
    }

    // Relay and LEDs show as event lines (log), not as levels; the
    // emulated modem is always on.
    fn set_levels(&mut self, levels: &Levels) {
        if !levels.battery_hold && !self.kept.world.mains_present {
            self.off = true;
        }
    }

    fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe> {
        Ok(now_ms + CONVERSION_MS)
    }

    fn probe_read(&mut self, _now_ms: u64) -> Option<Probe> {
        Some(console::probe(self.kept.world.temp).unwrap_or(Probe::NoSensor))
    }

    fn store(&mut self) -> Option<&mut Self::Store> {
        self.store.as_mut()
    }

    fn reset_cause(&mut self) -> ResetCause {
        self.cause
    }

    fn retained(&mut self) -> [u32; RETAINED_WORDS] {
        self.kept.retained
    }

    fn retain(&mut self, words: &[u32; RETAINED_WORDS]) {
        self.kept.retained = *words;
    }

    fn feed_watchdog(&mut self) {
        chip::watchdog_feed();
    }

    fn reboot(&mut self) {
        self.kept.reset()
    }

    fn log(&mut self, output: &Output) {
        let _ = console::write_event(&mut Port::Console, output, &mut self.leds_shown);
    }
}

/// Ends QEMU with `code` (semihosting); spins if no debugger listens.
fn exit(code: debug::ExitStatus) -> ! {
    debug::exit(code);
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    let _ = writeln!(Port::Console, "panic: {info}");
    exit(debug::EXIT_FAILURE)
}
