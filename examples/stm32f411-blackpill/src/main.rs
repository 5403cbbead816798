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
use embassy_stm32::usart::{
    BufferedInterruptHandler, BufferedUart, BufferedUartRx, BufferedUartTx, Config as UartConfig,
};
use embassy_stm32::{bind_interrupts, pac, peripherals};
use embassy_time::{Delay, Duration, Instant, Ticker, Timer};
use embedded_io::{Read as _, ReadReady as _, Write as _};
use isocket_device::board::{Board, Pins, Platform};
use isocket_device::probe::Ds18b20Probe;
use isocket_device::runner::{Runner, SAMPLE_MS, Turn};
use isocket_engine::{BoardInfo, Boot, BootReason};
use isocket_modem::profile;
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
/// After releasing the battery hold, a board still running has mains again.
const SHUTDOWN_GRACE_MS: u64 = 2000;

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    // The 16 MHz HSI is plenty: no need for the 25 MHz crystal and the PLL.
    let p = embassy_stm32::init(Default::default());
    let boot = boot_state();

    // Outputs first, in their safe state: relay off, modem off, battery held.
    let relay = Output::new(p.PB1, Level::Low, Speed::Low); // wiring: relay
    let modem_power = Output::new(p.PB0, Level::Low, Speed::Low); // wiring: modem-power
    let mut battery_hold = Output::new(p.PB9, Level::High, Speed::Low); // wiring: battery-hold
    let leds = [
        Output::new(p.PB12, Level::Low, Speed::Low), // wiring: led-power
        Output::new(p.PB13, Level::Low, Speed::Low), // wiring: led-gsm
        Output::new(p.PB14, Level::Low, Speed::Low), // wiring: led-out
    ];

    let flash = Flash::new_blocking(p.FLASH);
    let mut serial = heapless::String::new();
    // The 96-bit factory unique id, 24 hex digits: always fits.
    let _ = serial.push_str(embassy_stm32::uid::uid_hex());
    let storage = match NorFlashStore::open(flash, STORE) {
        Ok(store) => Some(store),
        Err(e) => {
            // Only a misconfigured range gets here; core::fmt stays out of the image.
            let _ = e;
            warn!("settings flash unusable: factory defaults, no saves");
            None
        }
    };

    info!(
        "isocket stm32f411-blackpill {} (after a mains failure: {}, clock kept: {})",
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
    let uart = match BufferedUart::new(
        p.USART1,
        p.PA10, // wiring: modem-rx
        p.PA9,  // wiring: modem-tx
        &mut tx_buf,
        &mut rx_buf,
        Irqs,
        uart_config,
    ) {
        Ok(uart) => uart,
        // Only a baud rate the clock cannot make: a build-time mistake.
        Err(_) => defmt::panic!("USART1 configuration"),
    };
    let (tx, rx) = uart.split();

    let one_wire_pin = OutputOpenDrain::new(p.PB5, Level::High, Speed::Low); // wiring: onewire
    let bus = match OneWire::new(one_wire_pin, Delay) {
        Ok(bus) => Some(bus),
        Err(e) => {
            warn!("1-Wire pin: {}", e);
            None
        }
    };

    let mut board = Board {
        platform: BlackPill { tx, rx },
        pins: Pins {
            relay,
            modem_power,
            leds,
            // Contact and button (the board's KEY on PA0) close to ground.
            contact: Input::new(p.PB6, Pull::Up), // wiring: contact
            button: Input::new(p.PA0, Pull::Up),  // wiring: button
            // High while the mains supply is there (divider from the PSU's 5 V).
            mains: Input::new(p.PB8, Pull::Down), // wiring: mains
        },
        probe: Ds18b20Probe::new(bus),
        store: storage,
    };
    let info = BoardInfo {
        product: "isocket stm32f411-blackpill",
        serial,
    };
    let mut runner = Runner::new(&mut board, info, boot, &profile::M66);
    let mut ticker = Ticker::every(Duration::from_millis(SAMPLE_MS));

    loop {
        match runner.turn(&mut board) {
            Turn::Again { .. } => ticker.next().await,
            Turn::Reboot => {
                cortex_m::peripheral::SCB::sys_reset();
            }
            Turn::Shutdown => {
                info!("releasing the battery hold");
                battery_hold.set_low();
                // Still running: mains came back meanwhile. Start again
                // (as a reset: nothing here survives a reboot to say why).
                Timer::after_millis(SHUTDOWN_GRACE_MS).await;
                cortex_m::peripheral::SCB::sys_reset();
            }
        }
    }
}

/// The F411's clock and modem UART. No battery-backed RTC is wired: the
/// wall clock is not kept across a reset (the default `keep_clock`).
struct BlackPill<'d> {
    tx: BufferedUartTx<'d>,
    rx: BufferedUartRx<'d>,
}

impl Platform for BlackPill<'_> {
    fn now_ms(&mut self) -> u64 {
        Instant::now().as_millis()
    }

    fn modem_read(&mut self, buf: &mut [u8]) -> usize {
        // Whatever the interrupt buffered: never wait for more.
        match self.rx.read_ready() {
            Ok(true) => self.rx.read(buf).unwrap_or_else(|e| {
                warn!("modem UART: {}", e);
                0
            }),
            _ => 0,
        }
    }

    fn modem_write(&mut self, bytes: &[u8]) {
        if let Err(e) = self.tx.write_all(bytes) {
            warn!("modem UART: {}", e);
        }
    }
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
