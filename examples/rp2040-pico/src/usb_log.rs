//! `--features usb`: the log as text lines on a USB CDC-ACM serial port
//! (embassy-usb), for a Pico flashed by UF2 without a debug probe. The
//! device's outputs ([`Board::log`](isocket_device::Board::log)) and the
//! boot line are rendered with `core::fmt` into a line and queued in a
//! pipe; a task sends the pipe to the host while one is connected. A line
//! that does not fit the pipe (nobody reading) is dropped: logging never
//! blocks the loop.

use core::fmt::Write as _;

use embassy_futures::join::join;
use embassy_rp::peripherals::USB;
use embassy_rp::usb::{Driver, InterruptHandler};
use embassy_rp::{Peri, bind_interrupts};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::pipe::Pipe;
use embassy_usb::class::cdc_acm::{CdcAcmClass, State};
use embassy_usb::{Builder, Config};
use isocket_device::Output;

bind_interrupts!(struct Irqs {
    USBCTRL_IRQ => InterruptHandler<USB>;
});

static PIPE: Pipe<CriticalSectionRawMutex, 512> = Pipe::new();

/// Queues one line (a newline is added); dropped whole if it does not fit.
pub fn line(args: core::fmt::Arguments<'_>) {
    let mut text = heapless::String::<120>::new();
    let _ = text.write_fmt(args);
    let _ = text.push_str("\r\n");
    if PIPE.free_capacity() >= text.len() {
        let _ = PIPE.try_write(text.as_bytes());
    }
}

/// The log line of a device output; LED patterns and probe requests are
/// left out (they are frequent and say little).
pub fn output(output: &Output) {
    match output {
        Output::Boot(r) => line(format_args!(
            "boot: {:?}, mains restored: {}, watchdog resets in a row: {}, safe mode: {}",
            r.cause,
            r.reason == isocket_engine::BootReason::MainsRestored,
            r.watchdog_resets,
            r.safe_mode
        )),
        Output::Relay(on) => line(format_args!("relay {}", on_off(*on))),
        Output::ModemPower(on) => line(format_args!("modem power {}", on_off(*on))),
        Output::SmsSent(to) => line(format_args!("SMS sent to +{}", to.as_str())),
        Output::Calling(to) => line(format_args!("calling +{}", to.as_str())),
        Output::SetClock(time) => line(format_args!("clock set: {}", time.is_some())),
        Output::Save(record) => line(format_args!("saving record {}", *record as u8)),
        Output::SaveFailed(record) => line(format_args!("save of record {} failed", *record as u8)),
        Output::Reboot => line(format_args!("reboot")),
        Output::Shutdown => line(format_args!("shutdown: releasing the battery hold")),
        _ => {}
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// Runs the USB device and the serial port: spawned once at boot.
#[embassy_executor::task]
pub async fn run(usb: Peri<'static, USB>) {
    // The Pico SDK's own id for its USB serial port: hosts see a Pico.
    let mut config = Config::new(0x2e8a, 0x000a);
    config.manufacturer = Some("isocket");
    config.product = Some("isocket rp2040-pico log");
    // The buffers live in this task's static future.
    let mut config_descriptor = [0u8; 128];
    let mut bos_descriptor = [0u8; 16];
    let mut control = [0u8; 64];
    let mut state = State::new();
    let mut builder = Builder::new(
        Driver::new(usb, Irqs),
        config,
        &mut config_descriptor,
        &mut bos_descriptor,
        &mut [],
        &mut control,
    );
    let mut class = CdcAcmClass::new(&mut builder, &mut state, 64);
    let mut device = builder.build();
    let serial = async {
        let mut packet = [0u8; 64];
        loop {
            class.wait_connection().await;
            loop {
                let n = PIPE.read(&mut packet).await;
                let bytes = packet.get(..n).unwrap_or_default();
                if class.write_packet(bytes).await.is_err() {
                    break; // disconnected: wait for the next terminal
                }
            }
        }
    };
    join(device.run(), serial).await;
}
