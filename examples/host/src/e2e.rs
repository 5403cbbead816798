//! End-to-end: a real device loop (the QEMU firmware, or `isocket-host run`)
//! driven from outside through its two lines only: the modem UART, answered
//! by the emulated modem of `isocket_modem::testing`, and the console
//! (hardware steps in, event lines out; see `isocket_device::testing::console`).
//!
//! `isocket-host e2e --modem 127.0.0.1:P0 --console 127.0.0.1:P1` runs the
//! conversation against the QEMU firmware's serial sockets: MAKEMEBOSS, ON,
//! STATUS, a hang the watchdog resets (three, for the boot-loop guard), an
//! alarm, a power failure and the restore. It checks the AT
//! traffic (the init sequence, every received SMS deleted) and every reply
//! text, and exits non-zero on the first mismatch.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use isocket_modem::testing::ScriptedModem;

use crate::spec_texts::is_spec_text;

/// The owner's phone in the conversation.
pub const BOSS: &str = "+4915112345678";
/// How long any one expectation may take (the power failure waits out the 30-s grace).
const PATIENCE: Duration = Duration::from_secs(60);

/// The device's modem line: bytes both ways, reads time out quickly.
pub trait ModemLine: Read + Write {}
impl<T: Read + Write> ModemLine for T {}

/// Drives one device through its modem line and console.
pub struct Conversation<M: ModemLine, C: Write> {
    line: M,
    console: C,
    events: Receiver<String>,
    modem: ScriptedModem,
    started: Instant,
    /// Event lines seen so far, for the failure report.
    pub seen: Vec<String>,
    /// Event lines read while waiting for an SMS, not yet looked for: the
    /// device may act (shut down, say) before the SMS is taken.
    unread: std::collections::VecDeque<String>,
}

impl<M: ModemLine, C: Write> Conversation<M, C> {
    /// `events` yields the console's output lines.
    pub fn new(line: M, console: C, events: Receiver<String>) -> Self {
        let mut modem = ScriptedModem::new(1);
        modem.far_end = isocket_modem::testing::FarEnd::Manual;
        modem.ussd_answer = None;
        Conversation {
            line,
            console,
            events,
            modem,
            started: Instant::now(),
            seen: Vec::new(),
            unread: std::collections::VecDeque::new(),
        }
    }

    /// Moves modem bytes both ways once and lets the fake's time run.
    fn pump(&mut self) -> Result<(), String> {
        let mut buffer = [0u8; 512];
        match self.line.read(&mut buffer) {
            Ok(0) => return Err("the modem line closed".into()),
            Ok(n) => self.modem.write(buffer.get(..n).unwrap_or_default()),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(format!("modem line: {e}")),
        }
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.modem.advance_to(now);
        let out = self.modem.read();
        if !out.is_empty() {
            self.line
                .write_all(&out)
                .map_err(|e| format!("modem line: {e}"))?;
        }
        Ok(())
    }

    /// Waits for a console line equal to `wanted`, pumping the modem meanwhile.
    pub fn expect_event(&mut self, wanted: &str) -> Result<(), String> {
        while let Some(line) = self.unread.pop_front() {
            if line == wanted {
                return Ok(());
            }
        }
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            self.pump()?;
            match self.events.recv_timeout(Duration::from_millis(2)) {
                Ok(line) => {
                    let line = line.trim().to_string();
                    self.seen.push(line.clone());
                    if line == wanted {
                        return Ok(());
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Err("the console closed".into()),
            }
        }
        Err(format!("no `{wanted}` on the console; saw {:?}", self.seen))
    }

    /// Waits for the device to send `to` an SMS passing `check`; returns its text.
    pub fn expect_sms(&mut self, to: &str, check: impl Fn(&str) -> bool) -> Result<String, String> {
        let deadline = Instant::now() + PATIENCE;
        let mut other = Vec::new();
        while Instant::now() < deadline {
            self.pump()?;
            while let Ok(line) = self.events.try_recv() {
                let line = line.trim().to_string();
                self.seen.push(line.clone());
                self.unread.push_back(line);
            }
            for (recipient, text) in self.modem.take_sent() {
                if !is_spec_text(&text) {
                    return Err(format!("not a SPEC reply: {text:?}"));
                }
                if recipient == to && check(&text) {
                    return Ok(text);
                }
                other.push((recipient, text));
            }
        }
        Err(format!("no matching SMS to {to}; sent instead: {other:?}"))
    }

    /// An SMS from `from` arrives now.
    pub fn sms(&mut self, from: &str, text: &str) {
        let unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
        if let Some(now) = chrono::DateTime::from_timestamp(unix, 0) {
            self.modem.deliver_at(from, text, now.fixed_offset());
        }
    }

    /// A hardware step on the console.
    pub fn step(&mut self, line: &str) -> Result<(), String> {
        writeln!(self.console, "{line}").map_err(|e| format!("console: {e}"))?;
        self.console.flush().map_err(|e| format!("console: {e}"))
    }

    /// Checks the AT traffic so far: the init sequence ran, and every
    /// received message was deleted from the SIM.
    pub fn check_at_traffic(&self, received: usize) -> Result<(), String> {
        let log = &self.modem.log;
        for command in ["AT+CMGF=0", "AT+CNMI=", "AT+CLIP=1", "AT+CMGL=4"] {
            if !log.iter().any(|c| c.starts_with(command)) {
                return Err(format!("the init never sent {command}: {log:?}"));
            }
        }
        if !self.modem.sim.is_empty() {
            return Err(format!("messages left on the SIM: {:?}", self.modem.sim));
        }
        let reads = log.iter().filter(|c| c.starts_with("AT+CMGR=")).count();
        if reads < received {
            return Err(format!(
                "{received} SMS arrived but only {reads} reads: {log:?}"
            ));
        }
        Ok(())
    }

    /// The firmware hangs; the watchdog resets it, and it answers again
    /// with its settings (the boss, the relay). Hanging until the boot-loop
    /// guard steps in, it still answers, leaving the probe alone.
    fn watchdog(&mut self) -> Result<(), String> {
        let status = |probe: &'static str| {
            move |t: &str| t.starts_with("Power socket ON\nSignal: ") && t.contains(probe)
        };
        self.step("hang")?;
        self.expect_event("boot watchdog reset")?;
        self.expect_event("relay on")?;
        self.sms(BOSS, "STATUS");
        self.expect_sms(BOSS, status("\nTEMP: 20C(68F)\n"))?;
        for _ in 2..isocket_device::boot::SAFE_MODE_AFTER {
            self.step("hang")?;
            self.expect_event("boot watchdog reset")?;
        }
        self.step("hang")?;
        self.expect_event("boot watchdog reset safe-mode")?;
        self.sms(BOSS, "STATUS");
        self.expect_sms(BOSS, status("\nTEMP: Sensor error!\n"))?;
        Ok(())
    }

    /// The whole conversation: MAKEMEBOSS, ON, STATUS, watchdog resets, an
    /// alarm, a power failure and the restore.
    pub fn run(&mut self) -> Result<(), String> {
        self.expect_event("led gsm blink-3s")?;
        self.sms(BOSS, "MAKEMEBOSS");
        self.expect_sms(BOSS, |t| {
            t.starts_with("Your phone number has been assigned")
        })?;
        self.expect_event(&format!("sms-sent {}", &BOSS[1..]))?;
        self.sms(BOSS, "on");
        self.expect_event("relay on")?;
        self.expect_sms(BOSS, |t| t == "Power socket ON")?;
        self.sms(BOSS, "STATUS");
        self.expect_sms(BOSS, |t| {
            t.starts_with("Power socket ON\nSignal: ") && t.contains("\nTEMP: 20C(68F)\n")
        })?;
        self.watchdog()?;
        self.sms(BOSS, "ALARMON");
        self.expect_sms(BOSS, |t| t == "ALARMON - OK\nALARM function: Enabled")?;
        self.step("input closed")?;
        self.expect_sms(BOSS, |t| t.starts_with("ALARM! Sensor activated!"))?;
        self.step("input open")?;
        self.step("power lost")?;
        self.expect_sms(BOSS, |t| t.starts_with("Power failure!"))?;
        self.expect_event("shutdown")?;
        self.step("power restored")?;
        self.expect_sms(BOSS, |t| t.starts_with("Power restored! Power socket ON."))?;
        self.check_at_traffic(6)
    }
}

/// Console output lines from any reader, on a thread.
pub fn lines_of(reader: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Connects, retrying while the other end (QEMU) starts listening.
fn connect(address: &str) -> Result<TcpStream, String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match TcpStream::connect(address) {
            Ok(stream) => return Ok(stream),
            Err(e) if Instant::now() >= deadline => return Err(format!("{address}: {e}")),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// `isocket-host e2e --modem ADDR --console ADDR`.
pub fn main(args: &[String]) -> Result<(), String> {
    let (mut modem, mut console) = (None, None);
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--modem" => modem = Some(value.clone()),
            "--console" => console = Some(value.clone()),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let modem = connect(&modem.ok_or("--modem ADDR is required")?)?;
    let console = connect(&console.ok_or("--console ADDR is required")?)?;
    modem
        .set_read_timeout(Some(Duration::from_millis(2)))
        .map_err(|e| e.to_string())?;
    let events = lines_of(console.try_clone().map_err(|e| e.to_string())?);
    let mut conversation = Conversation::new(modem, console, events);
    conversation.expect_event("ready")?;
    conversation.run()?;
    println!(
        "e2e: MAKEMEBOSS, ON, STATUS, watchdog resets, alarm, power failure and restore all answered as specified"
    );
    Ok(())
}
