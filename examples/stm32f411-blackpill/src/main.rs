//! isocket on a WeAct STM32F411CE Black Pill with a Quectel M66/EC21 on USART1.
//!
//! Board mapping only: pins, UART, flash, clock and resets go onto
//! `isocket_device::Device`, which holds every behaviour. Wiring: README.md.
#![no_std]
#![no_main]

use defmt::{info, warn};
use embassy_executor::Spawner;
use embassy_stm32::flash::Flash;
use embassy_stm32::gpio::{Input, Level, Output, OutputOpenDrain, Pull, Speed};
use embassy_stm32::usart::{BufferedInterruptHandler, BufferedUart, Config as UartConfig};
use embassy_stm32::{bind_interrupts, pac, peripherals};
use embassy_time::{Delay, Duration, Instant, Ticker, Timer};
use embedded_io::{Read as _, ReadReady as _, Write as _};
use isocket_device::{Device, Output as Do, probe, store};
use isocket_engine::{BoardInfo, Boot, BootReason, LedPattern, Leds};
use isocket_modem::profile;
use isocket_sensors::ds18b20::Ds18b20;
use isocket_sensors::input::Debouncer;
use isocket_sensors::onewire::OneWire;
use isocket_storage::NorFlashStore;
use {defmt_rtt as _, panic_probe as _};

bind_interrupts!(struct Irqs {
    USART1 => BufferedInterruptHandler<peripherals::USART1>;
});

/// Settings live in sectors 6 and 7, the last two 128 KiB sectors
/// (0x0804_0000..0x0808_0000; offsets from the flash start). memory.x gives
/// the firmware sectors 0..5 (256 KiB) only.
const STORE: core::ops::Range<u32> = 0x4_0000..0x8_0000;
/// Pins are sampled this often; the device debounces them.
const SAMPLE_MS: u64 = 5;
/// The mains-sense input must hold a level this long (glitches on the divider).
const MAINS_DEBOUNCE_MS: u64 = 200;
/// After releasing the battery hold, a board still running has mains again.
const SHUTDOWN_GRACE_MS: u64 = 2000;

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    // The 16 MHz HSI is plenty: no need for the 25 MHz crystal and the PLL.
    let p = embassy_stm32::init(Default::default());
    let boot = boot_state();

    // Outputs first, in their safe state: relay off, modem off, battery held.
    let mut relay = Output::new(p.PB1, Level::Low, Speed::Low);
    let mut modem_power = Output::new(p.PB0, Level::Low, Speed::Low);
    let mut battery_hold = Output::new(p.PB9, Level::High, Speed::Low);
    let mut led_power = Output::new(p.PB12, Level::Low, Speed::Low);
    let mut led_gsm = Output::new(p.PB13, Level::Low, Speed::Low);
    let mut led_out = Output::new(p.PB14, Level::Low, Speed::Low);
    // Contact and button (the board's KEY on PA0) close to ground.
    let contact = Input::new(p.PB6, Pull::Up);
    let button = Input::new(p.PA0, Pull::Up);
    // High while the mains supply is there (divider from the PSU's 5 V).
    let mains = Input::new(p.PB8, Pull::Down);

    let flash = Flash::new_blocking(p.FLASH);
    let mut serial = heapless::String::new();
    // The 96-bit factory unique id, 24 hex digits: always fits.
    let _ = serial.push_str(embassy_stm32::uid::uid_hex());
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

    info!(
        "isocket stm32f411-blackpill {} (after a mains failure: {}, clock kept: {})",
        serial.as_str(),
        boot.reason == BootReason::MainsRestored,
        boot.clock.is_some()
    );

    let mut tx_buf = [0u8; 512];
    let mut rx_buf = [0u8; 1024];
    let mut uart_config = UartConfig::default();
    uart_config.baudrate = 115_200;
    let uart = match BufferedUart::new(
        p.USART1,
        p.PA10,
        p.PA9,
        &mut tx_buf,
        &mut rx_buf,
        Irqs,
        uart_config,
    ) {
        Ok(uart) => uart,
        // Only a baud rate the clock cannot make: a build-time mistake.
        Err(_) => defmt::panic!("USART1 configuration"),
    };
    let (mut tx, mut rx) = uart.split();

    let mut bus = match OneWire::new(OutputOpenDrain::new(p.PB5, Level::High, Speed::Low), Delay) {
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
        product: "isocket stm32f411-blackpill",
        serial,
    };
    let now = millis();
    let mut device = Device::new(board, stored, boot, &profile::M66, now);

    let mut leds = LedState::new(now);
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
                // The engine runs the wall clock; with no battery-backed RTC
                // wired here there is nothing to keep it in across a reset.
                Do::SetClock(time) => info!("clock set: {}", time.is_some()),
                Do::ModemPower(on) => modem_power.set_level(level(on)),
                Do::SmsSent(to) => info!("SMS sent to +{}", to.as_str()),
                Do::Calling(to) => info!("calling +{}", to.as_str()),
                Do::Reboot => {
                    info!("reboot");
                    cortex_m::peripheral::SCB::sys_reset();
                }
                Do::Shutdown => {
                    info!("shutdown: releasing the battery hold");
                    battery_hold.set_low();
                    // Still running: mains came back meanwhile. Start again
                    // (as a reset: nothing here survives a reboot to say why).
                    Timer::after_millis(SHUTDOWN_GRACE_MS).await;
                    cortex_m::peripheral::SCB::sys_reset();
                }
                // Outputs added later: nothing for this board to do.
                _ => {}
            }
        }

        led_power.set_level(level(leds.power_on(now)));
        led_gsm.set_level(level(leds.gsm_on(now)));
        led_out.set_level(level(leds.out_on(now)));
        ticker.next().await;
    }
}

fn millis() -> u64 {
    Instant::now().as_millis()
}

fn level(on: bool) -> Level {
    if on { Level::High } else { Level::Low }
}

/// Why we booted, from the reset flags.
///
/// A power-on (or brown-out) reset means the supply was gone: the board only
/// loses power when it shut itself down for a mains failure (or the battery
/// ran flat), so that counts as "mains restored" (SPEC §13). Anything else
/// (software, watchdog, NRST) is a reset. No RTC is used: the clock is unset.
fn boot_state() -> Boot {
    let csr = pac::RCC.csr().read();
    let power_on = csr.porrstf() || csr.borrstf();
    // Clear the flags so the next reset reports its own cause.
    pac::RCC.csr().modify(|w| w.set_rmvf(true));
    Boot {
        reason: if power_on {
            BootReason::MainsRestored
        } else {
            BootReason::Reset
        },
        clock: None,
    }
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
