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
use embassy_rp::uart::{BufferedInterruptHandler, BufferedUart, Config as UartConfig};
use embassy_rp::watchdog::Watchdog;
use embassy_time::{Delay, Duration, Instant, Ticker, Timer};
use embedded_io::{Read as _, ReadReady as _, Write as _};
use isocket_device::{Device, Output as Do, probe, store};
use isocket_engine::{BoardInfo, Boot, BootReason, LedPattern, Leds};
use isocket_modem::profile;
use isocket_proto::Timestamp;
use isocket_sensors::ds18b20::Ds18b20;
use isocket_sensors::input::Debouncer;
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
/// Pins are sampled this often; the device debounces them.
const SAMPLE_MS: u64 = 5;
/// The mains-sense input must hold a level this long (glitches on the divider).
const MAINS_DEBOUNCE_MS: u64 = 200;
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
    let mut relay = Output::new(p.PIN_3, Level::Low);
    let mut modem_power = Output::new(p.PIN_2, Level::Low);
    let mut battery_hold = Output::new(p.PIN_8, Level::High);
    let mut led_power = Output::new(p.PIN_10, Level::Low);
    let mut led_gsm = Output::new(p.PIN_11, Level::Low);
    let mut led_out = Output::new(p.PIN_12, Level::Low);
    // Contact and button close to ground.
    let contact = Input::new(p.PIN_5, Pull::Up);
    let button = Input::new(p.PIN_6, Pull::Up);
    // High while the 5 V supply is there (divider from VBUS/mains PSU).
    let mains = Input::new(p.PIN_7, Pull::Down);

    let mut flash = Flash::<_, Blocking, FLASH_SIZE>::new_blocking(p.FLASH);
    let serial = unique_id(&mut flash);
    let mut storage = match NorFlashStore::open(flash, STORE) {
        Ok(store) => Some(store),
        Err(e) => {
            // Only a misconfigured range gets here; core::fmt stays out of the image.
            let _ = e;
            warn!("settings flash unusable: factory defaults, no saves");
            None
        }
    };
    let stored = storage.as_mut().map(store::load).unwrap_or_default();

    let boot = boot_state(&mut watchdog);
    info!(
        "isocket rp2040-pico {} (after a mains failure: {}, clock kept: {})",
        serial.as_str(),
        boot.reason == BootReason::MainsRestored,
        boot.clock.is_some()
    );

    let mut tx_buf = [0u8; 512];
    let mut rx_buf = [0u8; 1024];
    let mut uart_config = UartConfig::default();
    uart_config.baudrate = 115_200;
    let uart = BufferedUart::new(
        p.UART0,
        p.PIN_0,
        p.PIN_1,
        Irqs,
        &mut tx_buf,
        &mut rx_buf,
        uart_config,
    );
    let (mut tx, mut rx) = uart.split();

    let mut bus = match OneWire::new(OutputOpenDrain::new(p.PIN_4, Level::High), Delay) {
        Ok(bus) => Some(bus),
        Err(e) => {
            warn!("1-Wire pin: {}", e);
            None
        }
    };
    // Reads the probe's power mode and resolution; a missing probe (the jack
    // is empty) gets the datasheet defaults and reports "No sensor" later.
    let mut ds18b20 = bus
        .as_mut()
        .and_then(|bus| Ds18b20::probe(bus, None).ok())
        .unwrap_or_else(|| Ds18b20::new(None));

    let board = BoardInfo {
        product: "isocket rp2040-pico",
        serial,
    };
    let now = millis();
    let mut device = Device::new(board, stored, boot, &profile::SIM800, now);

    let mut leds = LedState::new(now);
    let mut clock: Option<(Timestamp, u64)> = boot.clock.map(|t| (t, now));
    let mut conversion_ready_at: Option<u64> = None;
    let mut mains_sense = Debouncer::new(MAINS_DEBOUNCE_MS);
    let mut mains_present = true;
    let mut rx_chunk = [0u8; 64];
    let mut ticker = Ticker::every(Duration::from_millis(SAMPLE_MS));

    loop {
        let now = millis();

        // Modem bytes in: whatever the interrupt buffered since last turn.
        while rx.read_ready().unwrap_or(false) {
            match rx.read(&mut rx_chunk) {
                Ok(n) => device.modem_rx(now, rx_chunk.get(..n).unwrap_or(&[])),
                Err(e) => {
                    warn!("modem UART: {}", e);
                    break;
                }
            }
        }
        // Modem bytes out.
        while let Some(bytes) = device.modem_tx(now) {
            if let Err(e) = tx.write_all(bytes) {
                warn!("modem UART: {}", e);
            }
        }

        device.sample(now, contact.is_low(), button.is_low());
        if let Some(present) = mains_sense.update(now, mains.is_high()) {
            if present != mains_present {
                mains_present = present;
                device.mains(now, present);
            }
        }
        if now >= device.poll_timeout() {
            device.tick(now);
        }

        // The DS18B20 conversion runs while the loop goes on; read it once due.
        if let (Some(ready_at), Some(bus)) = (conversion_ready_at, bus.as_mut()) {
            if now >= ready_at {
                let reading = match ds18b20.try_read(bus, now) {
                    Ok(None) => None, // still busy: next turn
                    Ok(Some(t)) => Some(probe::reading::<()>(Ok(t))),
                    Err(e) => Some(probe::reading(Err(e))),
                };
                if let Some(reading) = reading {
                    conversion_ready_at = None;
                    device.temperature(now, reading);
                }
            }
        }

        while let Some(output) = device.poll_output() {
            match output {
                Do::Relay(on) => relay.set_level(level(on)),
                Do::Leds(patterns) => leds.set(patterns, now),
                Do::MeasureTemperature => {
                    if conversion_ready_at.is_some() {
                        continue; // one conversion at a time; its answer serves both
                    }
                    let Some(bus) = bus.as_mut() else {
                        device.temperature(now, isocket_proto::Probe::SensorError);
                        continue;
                    };
                    match ds18b20.start_conversion(bus, now) {
                        Ok(ready_at) => conversion_ready_at = Some(ready_at),
                        Err(e) => device.temperature(now, probe::reading::<_>(Err(e))),
                    }
                }
                Do::Save(record) => {
                    let ok = storage
                        .as_mut()
                        .is_some_and(|s| store::save(s, device.engine(), record));
                    if !ok {
                        warn!("save of record {} failed", record as u8);
                    }
                    device.saved(now, record, ok);
                }
                Do::SetClock(time) => {
                    clock = time.map(|t| (t, now));
                    if clock.is_none() {
                        watchdog.set_scratch(SCRATCH_MAGIC, 0);
                    }
                }
                Do::ModemPower(on) => modem_power.set_level(level(on)),
                Do::SmsSent(to) => info!("SMS sent to +{}", to.as_str()),
                Do::Calling(to) => info!("calling +{}", to.as_str()),
                Do::Reboot => {
                    info!("reboot");
                    save_clock(&mut watchdog, clock, now);
                    watchdog.trigger_reset();
                }
                Do::Shutdown => {
                    info!("shutdown: releasing the battery hold");
                    watchdog.set_scratch(SCRATCH_SHUTDOWN, SHUTDOWN_MARK);
                    save_clock(&mut watchdog, clock, now);
                    battery_hold.set_low();
                    // Still running: mains came back meanwhile. Boot again as
                    // after a mains failure, which is what happened.
                    Timer::after_millis(SHUTDOWN_GRACE_MS).await;
                    watchdog.trigger_reset();
                }
                // Outputs added later: nothing for this board to do.
                _ => {}
            }
        }

        led_power.set_level(level(leds.power_on(now)));
        led_gsm.set_level(level(leds.gsm_on(now)));
        led_out.set_level(level(leds.out_on(now)));
        save_clock(&mut watchdog, clock, now);

        ticker.next().await;
    }
}

fn millis() -> u64 {
    Instant::now().as_millis()
}

fn level(on: bool) -> Level {
    if on { Level::High } else { Level::Low }
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

/// The three LED patterns and when they started: a change restarts all
/// three, so LEDs given the same pattern flash together (SPEC §8).
struct LedState {
    leds: Leds,
    since: u64,
}

impl LedState {
    fn new(now: u64) -> Self {
        Self {
            leds: Leds {
                power: LedPattern::Off,
                gsm: LedPattern::Off,
                out: LedPattern::Off,
            },
            since: now,
        }
    }

    fn set(&mut self, leds: Leds, now: u64) {
        if leds != self.leds {
            self.leds = leds;
            self.since = now;
        }
    }

    fn power_on(&self, now: u64) -> bool {
        self.leds.power.is_on(now.saturating_sub(self.since))
    }

    fn gsm_on(&self, now: u64) -> bool {
        self.leds.gsm.is_on(now.saturating_sub(self.since))
    }

    fn out_on(&self, now: u64) -> bool {
        self.leds.out.is_on(now.saturating_sub(self.since))
    }
}
