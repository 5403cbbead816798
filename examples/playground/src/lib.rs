//! # isocket-playground
//!
//! The socket in a browser: this crate compiles the simulator of
//! `isocket-host` in its through-AT mode (the real engine, the device loop
//! of `isocket-device`, the real modem driver and the emulated modem of
//! `isocket-modem`) to WebAssembly, and gives the page in `web/` a small
//! API. Everything the page does is a step of the simulator's scenario
//! vocabulary (`sms +49… ON`, `temp 8`, `input closed`, `advance 1s`), so the
//! browser runs exactly what `cargo run -p isocket-host` and the scenario
//! files run.
//!
//! `cargo xtask playground` builds it into a folder of static files; see the
//! README. The same API runs natively, which is how its tests run:
//!
//! ```
//! use isocket_playground::Playground;
//!
//! let mut socket = Playground::new();
//! socket.step("sms +4915112345678 ON")?;
//! socket.advance(10_000.0); // ten virtual seconds: the driver reads, replies, switches
//! assert!(socket.relay());
//! assert_eq!(socket.led_pattern(2), "on"); // OUT
//! assert_eq!(socket.take_sms(), ["4915112345678\u{1f}Power socket ON"]);
//! # Ok::<(), String>(())
//! ```

use std::time::Duration;

use isocket_engine::LedPattern;
use isocket_host::scenario::{Step, parse_step};
use isocket_host::sim::Simulator;
use wasm_bindgen::prelude::wasm_bindgen;

/// The longest "next event" jump: a day of virtual time.
const MAX_JUMP: Duration = Duration::from_secs(24 * 3600);

/// One simulated socket and its world.
#[wasm_bindgen]
pub struct Playground {
    sim: Simulator,
    /// Each LED's pattern and the uptime (ms) it started at: a blink's phase.
    leds: [(LedPattern, u64); 3],
    /// SMS the network took from the socket and the page has not shown yet.
    outbox: Vec<String>,
}

impl Default for Playground {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl Playground {
    /// A factory-fresh socket, registered, probe at 20 °C, clock from the network.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Playground {
        let mut sim = Simulator::through_at();
        sim.trace_at();
        let mut playground = Playground {
            sim,
            leds: [(LedPattern::Off, 0); 3],
            outbox: Vec::new(),
        };
        // The network tells the time, as most do: the scheduler works at once.
        let _ = playground.step("network-time");
        playground
    }

    /// Runs one step of the scenario vocabulary; `Err` says why it failed.
    pub fn step(&mut self, line: &str) -> Result<(), String> {
        let step = parse_step(line.trim())?;
        if matches!(step, Step::ExpectSms { .. }) {
            return Err("the page reads SMS with take_sms".into());
        }
        let result = self.sim.run(&step);
        self.observe();
        result
    }

    /// Lets `ms` of virtual time pass.
    pub fn advance(&mut self, ms: f64) {
        let ms = if ms.is_finite() && ms > 0.0 {
            ms as u64
        } else {
            0
        };
        self.sim.advance(Duration::from_millis(ms));
        self.observe();
    }

    /// Jumps to the next moment something visible happens: an SMS, a call,
    /// the relay or an LED's pattern changes (at most a day ahead). Returns
    /// the virtual milliseconds skipped.
    pub fn next_event(&mut self) -> f64 {
        let start = self.sim.uptime();
        let before = self.visible();
        while self.sim.uptime() < start + MAX_JUMP {
            let now = self.sim.uptime();
            let until = self
                .sim
                .next_deadline()
                .filter(|at| *at > now)
                .map_or(MAX_JUMP, |at| at - now)
                .min(start + MAX_JUMP - now);
            self.sim.advance(until);
            self.observe();
            if !self.outbox.is_empty() || self.visible() != before || !self.pending().is_empty() {
                break;
            }
        }
        (self.sim.uptime() - start).as_millis() as f64
    }

    /// Virtual milliseconds since power-on.
    pub fn uptime_ms(&self) -> f64 {
        self.sim.uptime().as_millis() as f64
    }

    /// The world's wall clock, `2026-01-01 00:00:00 +00:00`.
    pub fn world_time(&self) -> String {
        self.sim
            .world_time()
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    /// Whether the relay (the socket) is on.
    pub fn relay(&self) -> bool {
        self.sim.relay_is_on()
    }

    /// LED `0` POWER, `1` GSM, `2` OUT: its pattern's name.
    pub fn led_pattern(&self, led: usize) -> String {
        self.leds
            .get(led)
            .map_or("off", |(pattern, _)| pattern.name())
            .to_string()
    }

    /// LED `0` POWER, `1` GSM, `2` OUT: lit right now, in its real rhythm.
    pub fn led_lit(&self, led: usize) -> bool {
        let now = self.sim.uptime().as_millis() as u64;
        self.leds
            .get(led)
            .is_some_and(|(pattern, since)| pattern.is_on(now.saturating_sub(*since)))
    }

    /// SMS the socket sent since the last call: `to` and the text, split by
    /// a unit separator (U+001F).
    pub fn take_sms(&mut self) -> Vec<String> {
        std::mem::take(&mut self.outbox)
    }

    /// The AT lines exchanged since the last call (`> ` to the modem, `< ` from it).
    pub fn take_at_log(&mut self) -> Vec<String> {
        self.sim.take_at_trace()
    }

    /// Whether the socket is calling `number` (`RINGCONFIRM=CALL`, `ALERT=CALL`);
    /// it then rings until the page answers or rejects.
    pub fn calling(&mut self, number: &str) -> bool {
        self.step(&format!("expect call {number}")).is_ok()
    }

    /// What the socket asked of the world and nobody answered yet:
    /// `call to <digits>`, `ussd <code>`.
    pub fn pending(&self) -> Vec<String> {
        self.sim.unconsumed()
    }

    /// Whether the device has shut down (mains lost, battery released).
    pub fn shut_down(&mut self) -> bool {
        self.sim.run(&Step::ExpectShutdown).is_ok()
    }
}

impl Playground {
    /// Takes what the simulator produced: sent SMS, LED pattern changes.
    fn observe(&mut self) {
        for sms in self.sim.drain_sent() {
            self.outbox.push(format!("{}\u{1f}{}", sms.to, sms.text));
        }
        if let Some(leds) = self.sim.leds() {
            let now = self.sim.uptime().as_millis() as u64;
            for (slot, pattern) in self.leds.iter_mut().zip([leds.power, leds.gsm, leds.out]) {
                if slot.0 != pattern {
                    *slot = (pattern, now);
                }
            }
        }
    }

    /// What the page shows, for "something changed".
    fn visible(&self) -> (bool, [LedPattern; 3]) {
        let [(power, _), (gsm, _), (out, _)] = self.leds;
        (self.sim.relay_is_on(), [power, gsm, out])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHONE: &str = "+4915112345678";

    fn sms_to_phone(p: &mut Playground) -> Vec<String> {
        p.take_sms()
            .into_iter()
            .filter_map(|s| {
                s.split_once('\u{1f}')
                    .map(|(to, text)| (to.to_string(), text.to_string()))
            })
            .filter(|(to, _)| to == PHONE.trim_start_matches('+'))
            .map(|(_, text)| text)
            .collect()
    }

    #[test]
    fn makemeboss_and_on_through_the_at_driver() {
        let mut p = Playground::new();
        p.step(&format!("sms {PHONE} MAKEMEBOSS")).unwrap();
        p.advance(10_000.0);
        assert_eq!(
            sms_to_phone(&mut p),
            [
                "Your phone number has been assigned for all types of alerts and was added to security list which has been activated"
            ]
        );
        p.step(&format!("sms {PHONE} ON")).unwrap();
        p.advance(10_000.0);
        assert_eq!(sms_to_phone(&mut p), ["Power socket ON"]);
        assert!(p.relay());
        assert_eq!(p.led_pattern(2), "on");
        assert!(p.take_at_log().iter().any(|l| l.starts_with("> AT+CMGS")));
    }

    #[test]
    fn next_event_stops_at_a_visible_change() {
        let mut p = Playground::new();
        p.step(&format!("sms {PHONE} ON5")).unwrap();
        p.advance(10.0);
        while p.relay() || !p.take_sms().is_empty() {
            p.next_event();
            if !p.relay() {
                break;
            }
        }
        assert!(!p.relay());
        assert!(p.uptime_ms() < 60_000.0);
    }

    #[test]
    fn bad_steps_are_errors_not_panics() {
        let mut p = Playground::new();
        assert!(p.step("fly away").is_err());
        assert!(p.step("temp hot").is_err());
        p.advance(f64::NAN);
        p.advance(-5.0);
    }
}
