//! The sans-IO bridge at the heart of the device: the engine and the modem driver wired
//! together, fed with bytes, debounced inputs, probe readings and storage
//! results, with the time. [`crate::Device`] runs it on a [`crate::board::Board`]
//! (every board, the host and the simulator); a test that wants to feed the
//! engine and the modem by hand, event by event, drives it directly.
//!
//! How modem events become engine events: a whole SMS is handed to the
//! engine and acknowledged (deleted from the SIM) right after, so each is
//! executed at most once (one found on the SIM at start-up reaches the
//! engine only if the driver, given the battery-backed clock at boot or
//! network time, found it newer than the start: manual §17); an incoming
//! call (however many `RING`s) is one call for the engine (reported again
//! once with its caller if it rang without one first), and its end another
//! event; call progress,
//! USSD answers, registration, signal, network time and SIM state map one to
//! one; a modem that is power-cycling or has lost its SIM drives the LEDs.
//! Numbers go to the modem as they came: `+` and the digits when
//! international, the digits alone when the sender's type of address was
//! national or unknown (manual §19).
//!
//! SMS flow under back-pressure: the engine hands over the next SMS only
//! while the modem's outbox has room, so none is refused for a full queue;
//! replies never take more than [`REPLY_SLOTS`] of it, so alerts pass
//! waiting replies, and alerts are urgent in the outbox, so a reply that
//! keeps failing never takes the network's time ahead of one. The other
//! actions flow as they come.

use heapless::{Deque, Vec};
use isocket_engine::{
    Action, BoardInfo, Boot, Engine, Event, Leds, ModemHealth, OutgoingSms, Record, SmsRoom, Stored,
};
use isocket_modem::driver::{CallEnd, Driver, Event as ModemEvent, SmsHandle, State};
use isocket_modem::network::SimState;
use isocket_modem::profile::Profile;
use isocket_proto::{PhoneNumber, Probe, Timestamp};

use crate::boot::BootReport;

/// Outputs waiting for the board.
const OUTPUTS: usize = 16;
/// SMS in the modem's outbox, remembered for [`Output::SmsSent`].
const SENDING: usize = isocket_modem::driver::OUTBOX_LEN;
/// Outbox places replies may take; the rest stay free for alerts.
pub const REPLY_SLOTS: usize = isocket_modem::driver::OUTBOX_LEN / 2;

/// What the device does, in order: what [`crate::Device::turn`] carries
/// out on the board, and what [`crate::board::Board::log`] is told. New
/// kinds may come: match with a `_` arm.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// Switch the relay.
    Relay(bool),
    /// Show these LED patterns.
    Leds(Leds),
    /// Start a probe reading; report it with [`Bridge::temperature`].
    MeasureTemperature,
    /// Save a record ([`crate::store::save`] does it); report with [`Bridge::saved`].
    Save(Record),
    /// Set the battery-backed clock (`None`: unset).
    SetClock(Option<Timestamp>),
    /// Restart the firmware.
    Reboot,
    /// Cut the battery supply.
    Shutdown,
    /// Switch the modem's power (or release PWRKEY: `true`).
    ModemPower(bool),
    /// For the log: the network took an SMS to this number.
    SmsSent(PhoneNumber),
    /// For the log: the device is calling this number.
    Calling(PhoneNumber),
    /// For the log: how the device booted (the first output of a boot).
    Boot(BootReport),
    /// For the log: a save that did not become durable.
    SaveFailed(Record),
}

/// The modem driver sized for a command socket: its outbox holds the
/// engine's replies (at most [`isocket_engine::SMS_TEXT_LEN`] bytes) rather
/// than any text, and it assembles two concatenated messages at once (no
/// command needs more than one part: they are at most
/// [`isocket_proto::MAX_COMMAND_CHARS`] characters).
pub type Modem = Driver<{ isocket_engine::SMS_TEXT_LEN }, 2>;

/// The engine, the modem driver and the inputs, wired together.
pub struct Bridge {
    engine: Engine,
    modem: Modem,
    outputs: Deque<Output, OUTPUTS>,
    modem_health: ModemHealth,
    /// Handle, recipient and whether it is an alert.
    sending: Vec<(SmsHandle, PhoneNumber, bool), SENDING>,
}

impl Bridge {
    /// Boots the device at `now_ms` on the board's monotonic clock.
    pub fn new(
        board: BoardInfo,
        stored: Stored,
        boot: Boot,
        profile: &'static Profile,
        now_ms: u64,
    ) -> Self {
        let now = isocket_engine::Instant::from_millis(now_ms);
        let mut modem = Modem::with_capacity(profile, now_ms);
        // The kept clock tells a message stored during start-up from one
        // stored before it (manual §17); network time does, too.
        if let Some(time) = boot.clock {
            modem.trusted_time(now_ms, time.datetime());
        }
        let mut device = Bridge {
            engine: Engine::new(board, stored, boot, now),
            modem,
            outputs: Deque::new(),
            modem_health: ModemHealth::Ok,
            sending: Vec::new(),
        };
        device.pump(now_ms);
        device
    }

    /// The board drives the modem's RTS (hardware flow control): see
    /// [`isocket_modem::driver::Driver::with_rts_flow_control`].
    pub fn with_modem_rts(mut self) -> Self {
        self.modem = self.modem.with_rts_flow_control();
        self
    }

    /// The engine, for its records ([`crate::store::save`]) and state.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The modem driver, for its state and statistics.
    pub fn modem(&self) -> &Modem {
        &self.modem
    }

    /// Bytes that arrived from the modem.
    pub fn modem_rx(&mut self, now_ms: u64, bytes: &[u8]) {
        self.modem.handle(now_ms, bytes);
        self.pump(now_ms);
    }

    /// Bytes to write to the modem now, if any. Call whenever time passes;
    /// what the driver decides meanwhile reaches the engine at the next
    /// [`Bridge::tick`] or input.
    pub fn modem_tx(&mut self, now_ms: u64) -> Option<&[u8]> {
        self.modem.poll_transmit(now_ms)
    }

    /// The alarm contact changed (debounced).
    pub fn contact(&mut self, now_ms: u64, closed: bool) {
        self.engine_event(now_ms, Event::InputContact(closed));
        self.pump(now_ms);
    }

    /// A classified button event.
    pub fn button(&mut self, now_ms: u64, event: isocket_engine::ButtonEvent) {
        self.engine_event(now_ms, Event::Button(event));
        self.pump(now_ms);
    }

    /// The probe's answer to [`Output::MeasureTemperature`].
    pub fn temperature(&mut self, now_ms: u64, reading: Probe) {
        self.engine_event(now_ms, Event::Temperature(reading));
        self.pump(now_ms);
    }

    /// Mains power changed.
    pub fn mains(&mut self, now_ms: u64, present: bool) {
        let event = if present {
            Event::MainsRestored
        } else {
            Event::MainsLost
        };
        self.engine_event(now_ms, event);
        self.pump(now_ms);
    }

    /// The outcome of an [`Output::Save`].
    pub fn saved(&mut self, now_ms: u64, record: Record, ok: bool) {
        self.engine_event(now_ms, Event::Saved { record, ok });
        self.pump(now_ms);
    }

    /// Runs the timers due at `now_ms`, and moves on what the driver
    /// decided meanwhile (in [`Bridge::modem_tx`]: a power cycle, a
    /// timeout's events). Call it every turn.
    pub fn tick(&mut self, now_ms: u64) {
        let now = isocket_engine::Instant::from_millis(now_ms);
        if self.engine.poll_timeout().is_some_and(|due| due <= now) {
            self.engine.handle_timeout(now);
        }
        self.pump(now_ms);
    }

    /// The next output for the board.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When to call [`Bridge::tick`] and [`Bridge::modem_tx`] next, in ms.
    pub fn poll_timeout(&self) -> u64 {
        let engine = self.engine.poll_timeout().map(|t| t.as_millis());
        [Some(self.modem.poll_timeout()), engine]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(u64::MAX)
    }

    fn engine_event(&mut self, now_ms: u64, event: Event<'_>) {
        self.engine
            .handle(isocket_engine::Instant::from_millis(now_ms), event);
    }

    fn output(&mut self, output: Output) {
        // The board drains after every call, so the queue never fills; if it
        // did, the newest output would be the one to lose.
        let _ = self.outputs.push_back(output);
    }

    /// Moves events between the modem and the engine until both are quiet.
    fn pump(&mut self, now_ms: u64) {
        loop {
            let mut busy = false;
            while let Some(event) = self.modem.poll_event() {
                busy = true;
                self.on_modem_event(now_ms, event);
            }
            while let Some(action) = self.engine.poll_other_action() {
                busy = true;
                self.on_action(action);
            }
            while let Some(sms) = self.engine.poll_sms(self.sms_room()) {
                busy = true;
                self.send_sms(now_ms, sms);
            }
            if let Some(on) = self.modem.poll_power() {
                busy = true;
                self.output(Output::ModemPower(on));
            }
            if !busy {
                return;
            }
        }
    }

    fn on_modem_event(&mut self, now_ms: u64, event: ModemEvent) {
        match event {
            ModemEvent::Sms {
                id,
                from,
                text,
                sent_at,
            } => {
                let sent_at = sent_at.map(Timestamp::from_datetime);
                self.engine_event(
                    now_ms,
                    Event::SmsReceived {
                        from: from.number.as_str(),
                        // As the modem reported it: an alphanumeric sender
                        // (0xD0) or one whose type it did not tell
                        // (`TOA_NOT_TOLD`) is no number to trust.
                        toa: from.toa,
                        text: &text,
                        sent_at,
                    },
                );
                // Executed once: delete it from the SIM only now.
                self.modem.ack(id);
            }
            ModemEvent::Ringing(caller) => {
                let from = caller.as_ref().map_or("", |c| c.number.as_str());
                let toa = caller.as_ref().map_or(0, |c| c.toa);
                self.engine_event(now_ms, Event::IncomingCall { from, toa });
            }
            // The same call, its caller known now: the engine acts on it once.
            ModemEvent::CallerIdentified(caller) => {
                let (from, toa) = (caller.number.as_str(), caller.toa);
                self.engine_event(now_ms, Event::IncomingCall { from, toa });
            }
            ModemEvent::IncomingCallEnded => self.engine_event(now_ms, Event::IncomingCallEnded),
            ModemEvent::CallAnswered => self.engine_event(now_ms, Event::CallAnswered),
            ModemEvent::CallEnded(CallEnd::Rejected) => {
                self.engine_event(now_ms, Event::CallRejected)
            }
            ModemEvent::CallEnded(_) => self.engine_event(now_ms, Event::CallEnded),
            ModemEvent::Ussd(answer) if answer.text.is_empty() => {
                self.engine_event(now_ms, Event::UssdFailed)
            }
            ModemEvent::Ussd(answer) => self.engine_event(now_ms, Event::UssdAnswer(&answer.text)),
            ModemEvent::Registration(status) => {
                let event = if status.is_registered() {
                    Event::NetworkRegistered
                } else {
                    Event::NetworkLost
                };
                self.engine_event(now_ms, event);
            }
            ModemEvent::Signal(dbm) => self.engine_event(now_ms, Event::Signal(dbm)),
            ModemEvent::NetworkTime(time) => {
                if let Some(local) = time.local() {
                    let event = Event::NetworkTime(Timestamp::from_datetime(local));
                    self.engine_event(now_ms, event);
                }
            }
            ModemEvent::Sim(state) => {
                let health = match state {
                    SimState::Ready => ModemHealth::Ok,
                    _ => ModemHealth::SimError,
                };
                self.set_modem_health(now_ms, health);
            }
            ModemEvent::State(State::PoweringUp) => {
                self.set_modem_health(now_ms, ModemHealth::ModemError)
            }
            ModemEvent::State(State::Ready) if self.modem_health == ModemHealth::ModemError => {
                self.set_modem_health(now_ms, ModemHealth::Ok)
            }
            ModemEvent::SmsSent { handle, .. } => {
                if let Some(to) = self.take_sending(handle) {
                    self.output(Output::SmsSent(to));
                }
                self.engine_event(now_ms, Event::SmsSent);
            }
            ModemEvent::SmsDropped { handle } => {
                let _ = self.take_sending(handle);
                self.engine_event(now_ms, Event::SmsFailed);
            }
            // Retries, status reports and the rest are the driver's business.
            _ => {}
        }
    }

    fn take_sending(&mut self, handle: SmsHandle) -> Option<PhoneNumber> {
        let position = self.sending.iter().position(|(h, _, _)| *h == handle)?;
        Some(self.sending.remove(position).1)
    }

    /// What the modem's outbox takes now.
    fn sms_room(&self) -> SmsRoom {
        let room = self.modem.sms_room() > 0;
        let replies = self.sending.iter().filter(|(_, _, alert)| !alert).count();
        SmsRoom {
            alerts: room,
            replies: room && replies < REPLY_SLOTS,
        }
    }

    fn send_sms(&mut self, now_ms: u64, sms: OutgoingSms) {
        let to = sms.to.dial();
        let queued = match sms.alert {
            true => self.modem.send_urgent_sms(&to, &sms.text),
            false => self.modem.send_sms(&to, &sms.text),
        };
        match queued {
            Ok(handle) => {
                // Full only if an event went missing (the driver keeps
                // room for them): that entry is stale.
                if self.sending.is_full() {
                    self.sending.remove(0);
                }
                let _ = self.sending.push((handle, sms.to, sms.alert));
            }
            // A text the modem cannot encode will never go out.
            Err(_) => self.engine_event(now_ms, Event::SmsFailed),
        }
    }

    fn set_modem_health(&mut self, now_ms: u64, health: ModemHealth) {
        if self.modem_health != health {
            self.modem_health = health;
            self.engine_event(now_ms, Event::Modem(health));
        }
    }

    fn on_action(&mut self, action: Action) {
        match action {
            // `poll_other_action` never returns one: SMS come from `poll_sms`.
            Action::SendSms { .. } => {}
            Action::Dial(to) => {
                self.modem.dial(&to.dial());
                self.output(Output::Calling(to));
            }
            Action::HangUp => self.modem.hang_up(),
            Action::SendUssd(code) => self.modem.ussd(code.as_str()),
            Action::SetRelay(on) => self.output(Output::Relay(on)),
            Action::MeasureTemperature => self.output(Output::MeasureTemperature),
            Action::Save(record) => self.output(Output::Save(record)),
            Action::SetClock(time) => self.output(Output::SetClock(time)),
            Action::SetLeds(leds) => self.output(Output::Leds(leds)),
            Action::Reboot => self.output(Output::Reboot),
            Action::Shutdown => self.output(Output::Shutdown),
        }
    }
}
