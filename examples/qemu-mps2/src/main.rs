//! isocket on QEMU's mps2-an385 (Cortex-M3), for end-to-end tests.
//!
//! The same device loop as every board (`isocket_device::runner::Runner`),
//! with the modem on CMSDK UART0 and a console on UART1 that speaks
//! `isocket_device::testing::console`: hardware steps in (`temp 21.5`, `input
//! closed`, `power lost`, `reboot`, ...), event lines out (`relay on`, `led
//! power on`, `sms-sent …`, `call …`, `shutdown`). The DS18B20 reads the
//! console's `temp` setting (20 °C until told otherwise), mains follows
//! `power lost` / `power restored`, settings live in RAM and survive a
//! `reboot` step, and the time comes from SysTick. `ready` on the console
//! says the firmware booted and listens.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

mod uart;

use core::cell::Cell;
use core::fmt::Write as _;
use core::panic::PanicInfo;

use cortex_m::interrupt::Mutex;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::debug;
use isocket_device::Output;
use isocket_device::testing::console::{self, Step};
use isocket_device::runner::{Hardware, Runner, Turn};
use isocket_engine::{BoardInfo, Boot, BootReason, Leds};
use isocket_modem::profile;
use isocket_proto::{Probe, Timestamp};
use isocket_storage::RamStore;

use uart::Port;

/// The mps2-an385's CPU clock in QEMU.
const CPU_HZ: u32 = 25_000_000;
/// What the probe reads until a `temp` step: 20 °C, in sixteenths.
const DEFAULT_TEMP: Step = Step::Temp(Some(20 * 16));
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
    let Some(mut core) = cortex_m::Peripherals::take() else {
        exit(debug::EXIT_FAILURE);
    };
    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(CPU_HZ / 1000 - 1);
    core.SYST.clear_current();
    core.SYST.enable_counter();
    core.SYST.enable_interrupt();
    Port::Modem.init();
    Port::Console.init();

    let mut board = Qemu::new();
    // A power-on: QEMU just started, nothing happened before.
    let mut boot = Boot::default();
    let _ = writeln!(Port::Console, "ready");
    loop {
        let info = BoardInfo {
            product: "isocket qemu-mps2",
            serial: heapless::String::try_from("qemu-mps2-0001").unwrap_or_default(),
        };
        let mut runner = Runner::new(&mut board, info, boot, &profile::SIM800);
        boot = loop {
            if board.console_steps() {
                break board.reset_boot();
            }
            match runner.turn(&mut board) {
                Turn::Again { at_ms } => board.sleep_until(at_ms),
                Turn::Reboot => break board.reset_boot(),
                Turn::Shutdown => {
                    board.wait_for_mains();
                    break Boot {
                        reason: BootReason::MainsRestored,
                        clock: None,
                    };
                }
            }
        };
        // What a reset does to the board: LEDs dark, UART bytes gone.
        board.leds_shown = None;
        Port::Modem.discard();
    }
}

/// The emulated board: inputs set by console steps, outputs printed there.
struct Qemu {
    store: RamStore,
    /// The `temp` setting the probe reports.
    temp: Step,
    contact: bool,
    /// The button is held until then.
    button_until: u64,
    mains: bool,
    /// What the LED lines said last (`None`: nothing yet this boot).
    leds_shown: Option<Leds>,
    /// The wall clock the engine set, and when.
    clock: Option<(Timestamp, u64)>,
    line: heapless::Vec<u8, LINE>,
    /// The current line was too long: ignored up to its end.
    overlong: bool,
}

impl Qemu {
    fn new() -> Self {
        Qemu {
            store: RamStore::new(),
            temp: DEFAULT_TEMP,
            contact: false,
            button_until: 0,
            mains: true,
            leds_shown: None,
            clock: None,
            line: heapless::Vec::new(),
            overlong: false,
        }
    }

    /// Applies the console's complete lines; `true` on a `reboot` step.
    fn console_steps(&mut self) -> bool {
        let mut reboot = false;
        while let Some(step) = self.next_step() {
            match step {
                Step::Reboot => reboot = true,
                step => self.apply(step),
            }
            if reboot {
                break;
            }
        }
        reboot
    }

    fn apply(&mut self, step: Step) {
        let now = millis();
        match step {
            Step::Temp(_) | Step::TempNone => self.temp = step,
            Step::Input { closed } => self.contact = closed,
            Step::ButtonPress => self.button_until = now + PRESS_MS,
            Step::ButtonHold { ms } => self.button_until = now.saturating_add(ms),
            Step::PowerLost => self.mains = false,
            Step::PowerRestored => self.mains = true,
            // The main loop handles it.
            Step::Reboot => {}
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

    /// The boot after a reset: the wall clock survives, advanced.
    fn reset_boot(&self) -> Boot {
        let now = millis();
        let clock = self.clock.and_then(|(time, set_at)| {
            let elapsed = i64::try_from(now.saturating_sub(set_at)).ok()?;
            let delta = chrono::TimeDelta::try_milliseconds(elapsed)?;
            let advanced = time.datetime().checked_add_signed(delta)?;
            Some(Timestamp::from_datetime(advanced))
        });
        Boot {
            reason: BootReason::Reset,
            clock,
        }
    }

    /// Sleeps until `at_ms` or until a UART has bytes; SysTick wakes it every ms.
    fn sleep_until(&self, at_ms: u64) {
        while millis() < at_ms && !Port::Modem.pending() && !Port::Console.pending() {
            cortex_m::asm::wfi();
        }
    }

    /// Shut down: nothing runs until the console says `power restored`.
    fn wait_for_mains(&mut self) {
        loop {
            match self.next_step() {
                Some(Step::PowerRestored) => {
                    self.mains = true;
                    return;
                }
                // The board has no power: other steps change what it will
                // find at boot, except the ones that need it running.
                Some(Step::Reboot) | None => {}
                Some(step) => self.apply(step),
            }
            Port::Modem.discard();
            cortex_m::asm::wfi();
        }
    }
}

impl Hardware for Qemu {
    type Store = RamStore;

    fn now_ms(&mut self) -> u64 {
        millis()
    }

    fn modem_read(&mut self, buf: &mut [u8]) -> usize {
        Port::Modem.take(buf)
    }

    fn modem_write(&mut self, bytes: &[u8]) {
        Port::Modem.write_all(bytes);
    }

    // The emulated modem is always on.
    fn modem_power(&mut self, _on: bool) {}

    fn contact_closed(&mut self) -> bool {
        self.contact
    }

    fn button_pressed(&mut self) -> bool {
        millis() < self.button_until
    }

    fn mains_present(&mut self) -> bool {
        self.mains
    }

    // Relay and LEDs show as event lines (on_output), not as levels.
    fn set_relay(&mut self, _on: bool) {}

    fn set_leds(&mut self, _power: bool, _gsm: bool, _out: bool) {}

    fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe> {
        Ok(now_ms + CONVERSION_MS)
    }

    fn probe_read(&mut self, _now_ms: u64) -> Option<Probe> {
        Some(console::probe(self.temp).unwrap_or(Probe::NoSensor))
    }

    fn store(&mut self) -> Option<&mut RamStore> {
        Some(&mut self.store)
    }

    fn keep_clock(&mut self, clock: Option<(Timestamp, u64)>, _now_ms: u64) {
        self.clock = clock;
    }

    fn on_output(&mut self, output: &Output) {
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
