//! isocket on a Raspberry Pi Pico (RP2040) with a SIM800L on UART0.
//!
//! Board mapping only: pins, UART, flash, clock and resets go onto
//! `isocket_device::Device`, which holds every behaviour. Wiring: README.md.
#![no_std]
#![no_main]

use defmt::{info, warn};
use embassy_executor::Spawner;
use embassy_rp::bind_interrupts;
use embassy_rp::flash::{Blocking, Flash};
use embassy_rp::gpio::{Input, Level, Output, OutputOpenDrain, Pull};
use embassy_rp::peripherals::{FLASH, UART0};
use embassy_rp::uart::{
    BufferedInterruptHandler, BufferedUart, BufferedUartRx, BufferedUartTx, Config as UartConfig,
};
use embassy_rp::watchdog::Watchdog;
use embassy_time::{Delay, Duration, Instant, Ticker, Timer};
use embedded_io::{Read as _, ReadReady as _, Write as _};
use isocket_device::board::{Board, Pins, Platform};
use isocket_device::probe::Ds18b20Probe;
use isocket_device::runner::{Runner, SAMPLE_MS, Turn};
use isocket_engine::{BoardInfo, Boot, BootReason};
use isocket_modem::profile;
use isocket_proto::Timestamp;
use isocket_sensors::onewire::OneWire;
use isocket_storage::NorFlashStore;
use {defmt_rtt as _, panic_probe as _};

bind_interrupts!(struct Irqs {
    UART0_IRQ => BufferedInterruptHandler<UART0>;
});

/// The Pico's W25Q16JV: 2 MiB.
const FLASH_SIZE: usize = 2 * 1024 * 1024;
/// Settings live in the last two 4 KiB sectors; memory.x keeps code out of them.
const STORE: core::ops::Range<u32> = (FLASH_SIZE as u32 - 8192)..FLASH_SIZE as u32;
/// After releasing the battery hold, a board still running has mains again.
const SHUTDOWN_GRACE_MS: u64 = 2000;

// Watchdog scratch registers survive a watchdog reboot (not a power cycle):
// they carry the software clock and the "shut down for a mains failure" mark.
const SCRATCH_MAGIC: usize = 0;
const SCRATCH_UNIX: usize = 1;
const SCRATCH_OFFSET: usize = 2;
const SCRATCH_SHUTDOWN: usize = 3;
const CLOCK_MAGIC: u32 = 0x150C_C10C;
const SHUTDOWN_MARK: u32 = 0x5D0F_F00D;

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    let mut watchdog = Watchdog::new(p.WATCHDOG);

    // Outputs first, in their safe state: relay off, modem off, battery held.
    let relay = Output::new(p.PIN_3, Level::Low); // wiring: relay
    let modem_power = Output::new(p.PIN_2, Level::Low); // wiring: modem-power
    let mut battery_hold = Output::new(p.PIN_8, Level::High); // wiring: battery-hold
    let leds = [
        Output::new(p.PIN_10, Level::Low), // wiring: led-power
        Output::new(p.PIN_11, Level::Low), // wiring: led-gsm
        Output::new(p.PIN_12, Level::Low), // wiring: led-out
    ];

    let mut flash = Flash::<_, Blocking, FLASH_SIZE>::new_blocking(p.FLASH);
    let serial = unique_id(&mut flash);
    let storage = match NorFlashStore::open(flash, STORE) {
        Ok(store) => Some(store),
        Err(e) => {
            // Only a misconfigured range gets here; core::fmt stays out of the image.
            let _ = e;
            warn!("settings flash unusable: factory defaults, no saves");
            None
        }
    };

    let boot = boot_state(&mut watchdog);
    info!(
        "isocket rp2040-pico {} (after a mains failure: {}, clock kept: {})",
        serial.as_str(),
        boot.reason == BootReason::MainsRestored,
        boot.clock.is_some()
    );

    let mut tx_buf = [0u8; 512];
    // Covers a loop turn or two; bytes during a flash erase are lost in the
    // FIFO anyway (see README), so more buffer would not save them.
    let mut rx_buf = [0u8; 512];
    let mut uart_config = UartConfig::default();
    uart_config.baudrate = 115_200;
    let uart = BufferedUart::new(
        p.UART0,
        p.PIN_0, // wiring: modem-tx
        p.PIN_1, // wiring: modem-rx
        Irqs,
        &mut tx_buf,
        &mut rx_buf,
        uart_config,
    );
    let (tx, rx) = uart.split();

    let one_wire_pin = OutputOpenDrain::new(p.PIN_4, Level::High); // wiring: onewire
    let bus = match OneWire::new(one_wire_pin, Delay) {
        Ok(bus) => Some(bus),
        Err(e) => {
            warn!("1-Wire pin: {}", e);
            None
        }
    };

    let mut board = Board {
        platform: Pico { tx, rx, watchdog },
        pins: Pins {
            relay,
            modem_power,
            leds,
            // Contact and button close to ground.
            contact: Input::new(p.PIN_5, Pull::Up), // wiring: contact
            button: Input::new(p.PIN_6, Pull::Up),  // wiring: button
            // High while the 5 V supply is there (divider from VBUS/mains PSU).
            mains: Input::new(p.PIN_7, Pull::Down), // wiring: mains
        },
        probe: Ds18b20Probe::new(bus),
        store: storage,
    };
    let info = BoardInfo {
        product: "isocket rp2040-pico",
        serial,
    };
    let mut runner = Runner::new(&mut board, info, boot, &profile::SIM800);
    let mut ticker = Ticker::every(Duration::from_millis(SAMPLE_MS));

    loop {
        match runner.turn(&mut board) {
            Turn::Again { .. } => ticker.next().await,
            Turn::Reboot => {
                board.platform.watchdog.trigger_reset();
            }
            Turn::Shutdown => {
                info!("releasing the battery hold");
                board
                    .platform
                    .watchdog
                    .set_scratch(SCRATCH_SHUTDOWN, SHUTDOWN_MARK);
                battery_hold.set_low();
                // Still running: mains came back meanwhile. Boot again as
                // after a mains failure, which is what happened.
                Timer::after_millis(SHUTDOWN_GRACE_MS).await;
                board.platform.watchdog.trigger_reset();
            }
        }
    }
}

/// The RP2040's clock and modem UART; the wall clock survives a watchdog
/// reboot in the scratch registers.
struct Pico {
    tx: BufferedUartTx,
    rx: BufferedUartRx,
    watchdog: Watchdog,
}

impl Platform for Pico {
    fn now_ms(&mut self) -> u64 {
        Instant::now().as_millis()
    }

    fn modem_read(&mut self, buf: &mut [u8]) -> usize {
        // Whatever the interrupt buffered: never wait for more.
        if !self.rx.read_ready().unwrap_or(false) {
            return 0;
        }
        self.rx.read(buf).unwrap_or_else(|e| {
            warn!("modem UART: {}", e);
            0
        })
    }

    fn modem_write(&mut self, bytes: &[u8]) {
        if let Err(e) = self.tx.write_all(bytes) {
            warn!("modem UART: {}", e);
        }
    }

    fn keep_clock(&mut self, clock: Option<(Timestamp, u64)>, now_ms: u64) {
        save_clock(&mut self.watchdog, clock, now_ms);
    }
}

/// The flash chip's 64-bit unique id in hex: the SERIALNUM.
fn unique_id(flash: &mut Flash<'_, FLASH, Blocking, FLASH_SIZE>) -> heapless::String<32> {
    let mut id = [0u8; 8];
    let mut serial = heapless::String::new();
    if flash.blocking_unique_id(&mut id).is_err() {
        let _ = serial.push_str("rp2040-unknown");
        return serial;
    }
    for byte in id {
        for nibble in [byte >> 4, byte & 0xF] {
            let _ = serial.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    serial
}

/// Why we booted and the clock the last firmware run left behind.
///
/// A power-on reset means the supply was gone: the board only loses power
/// when it shut itself down for a mains failure (or the battery ran flat),
/// so that counts as "mains restored" (SPEC §13). A watchdog reboot is a
/// reset, unless the firmware marked it as the end of a shutdown.
fn boot_state(watchdog: &mut Watchdog) -> Boot {
    let power_on = watchdog.reset_reason().is_none();
    let shutdown = watchdog.get_scratch(SCRATCH_SHUTDOWN) == SHUTDOWN_MARK;
    watchdog.set_scratch(SCRATCH_SHUTDOWN, 0);
    let clock = if !power_on && watchdog.get_scratch(SCRATCH_MAGIC) == CLOCK_MAGIC {
        let unix = i64::from(watchdog.get_scratch(SCRATCH_UNIX));
        let offset = watchdog.get_scratch(SCRATCH_OFFSET) as i32;
        chrono::FixedOffset::east_opt(offset)
            .zip(chrono::DateTime::from_timestamp(unix, 0))
            .map(|(zone, utc)| Timestamp::from_datetime(utc.with_timezone(&zone)))
    } else {
        None
    };
    Boot {
        reason: if power_on || shutdown {
            BootReason::MainsRestored
        } else {
            BootReason::Reset
        },
        clock,
    }
}

/// Keeps the wall time in the watchdog scratch registers for a reboot.
fn save_clock(watchdog: &mut Watchdog, clock: Option<(Timestamp, u64)>, now: u64) {
    let Some((time, set_at)) = clock else {
        watchdog.set_scratch(SCRATCH_MAGIC, 0);
        return;
    };
    let elapsed = i64::try_from(now.saturating_sub(set_at) / 1000).unwrap_or(0);
    let unix = time.datetime().timestamp().saturating_add(elapsed);
    let Ok(unix) = u32::try_from(unix) else {
        return;
    };
    let offset = time.datetime().offset().local_minus_utc();
    watchdog.set_scratch(SCRATCH_UNIX, unix);
    watchdog.set_scratch(SCRATCH_OFFSET, offset as u32);
    watchdog.set_scratch(SCRATCH_MAGIC, CLOCK_MAGIC);
}
