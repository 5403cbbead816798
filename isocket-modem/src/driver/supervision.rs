//! Supervision: the init sequence and its retries, the modem's boot and
//! busy holds, registration per domain, silence, and power cycles with
//! back-off. It decides; the driver carries out what it returns.

use super::{
    BOOT_LIMIT_MS, BUSY_RETRY_MS, FIRST_BACKOFF_MS, INIT_ATTEMPTS, MAX_BACKOFF_MS,
    POLL_INTERVAL_MS, REGISTRATION_RETRY_MS, SETTINGS_CHECK_MS, UNREGISTERED_LIMIT_MS,
};
use crate::network::{Domain, RegStatus};
use crate::profile::{PowerPin, PowerWiring, Profile, SmsMode};

const INIT_HEAD: [&str; 3] = ["ATE0", "AT+CMEE=1", "AT+CPIN?"];
/// Message storage: the SIM for reading, writing and receiving.
const STORAGE: &str = "AT+CPMS=\"SM\",\"SM\",\"SM\"";
/// The init step that lists the stored messages (the mode's list command).
const LIST: &str = "AT+CMGL";
const PDU_MODE: &str = "AT+CMGF=0";
const PDU_FORMAT: &[&str] = &[PDU_MODE];
const TEXT_FORMAT: &[&str] = &["AT+CMGF=1", "AT+CSCS=\"GSM\"", "AT+CSDH=1"];
/// The modem obeys the board's RTS and the board ignores CTS
/// (`+IFC=<DCE_by_DTE>,<DTE_by_DCE>`, "Set TE-TA local data flow
/// control": 2 is RTS/CTS, 0 none, in the V.250 syntax of the SIM800 and
/// SIM7600 AT command manuals and Quectel's M66 and EC2x manuals).
const FLOW_CONTROL: &str = "AT+IFC=2,0";

/// What a failed or busy init command leads to.
pub(super) enum Retry {
    /// Try the same command again.
    Again,
    /// It failed [`INIT_ATTEMPTS`] times: power-cycle.
    PowerCycle,
}

/// An init command, as the driver sends it.
pub(super) enum InitCommand {
    /// The list of stored messages.
    List(&'static [u8]),
    /// Another command, with the prefix of its information lines.
    Plain(&'static str, Option<&'static [u8]>),
}

/// Which polls are due.
pub(super) enum Polls {
    Nothing,
    /// Registration only.
    Registration,
    /// One registration poll, whose `<n>` shows whether the modem still
    /// has its settings ([`SETTINGS_CHECK_MS`]).
    Check,
    /// Registration, signal and the list of stored messages.
    All,
}

/// How the modem is restarted when it must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Restart {
    /// Through the power pin.
    Power,
    /// `AT+CFUN=1,1`: a PWRKEY pulse would switch a running modem off.
    Command,
}

/// What staying unregistered leads to.
pub(super) enum Escalation {
    Reinit,
    PowerCycle,
}

/// The modem's health and the driver's plans for it.
pub(super) struct Supervisor {
    profile: &'static Profile,
    /// How the board wired the modem's power.
    wiring: PowerWiring,
    /// The board drives the modem's RTS: the init asks it to obey.
    rts: bool,
    /// The module's STATUS output as the board last read it.
    status: Option<bool>,
    /// The modem said it powers down (`NORMAL POWER DOWN`): it is off.
    known_off: bool,
    power: Option<bool>,
    power_until: u64,
    power_on_at: Option<u64>,
    /// When the pin last went on.
    powered_at: u64,
    /// Init commands wait until this: the modem boots, or was busy.
    hold_until: u64,
    /// Init commands wait until this after a restart by command: the
    /// back-off, which the modem's "SMS ready" does not cut short.
    backoff_until: u64,
    /// Waiting for the modem's "SMS ready" line after a (re)boot.
    booting: bool,
    /// The current init began at this time.
    init_since: u64,
    /// The wait after the next busy answer.
    busy_delay: u64,
    /// SMS text mode: the profile asks for it, or the modem refused PDU mode.
    pub(super) text_mode: bool,
    /// `AT+CMGF=0` refused at this init.
    pdu_refusals: u8,
    silent_commands: u8,
    /// Failed tries of the current init command.
    init_failures: u8,
    unregistered_since: Option<u64>,
    next_poll: u64,
    /// The next settings check ([`Polls::Check`]).
    next_check: u64,
    /// A registration poll alone, sooner than [`Supervisor::next_poll`].
    registration_poll: Option<u64>,
    backoff: u64,
    /// The registration as the profile's domains report it, combined.
    registered: Option<RegStatus>,
    /// Each domain's last report ([`Domain::index`] order).
    domains: [Option<RegStatus>; 3],
    /// Re-inits for lost registration since it was last there; the next
    /// one is a power cycle.
    unregistered_reinits: u8,
}

impl Supervisor {
    pub(super) fn new(profile: &'static Profile, now_ms: u64) -> Self {
        Supervisor {
            profile,
            wiring: PowerWiring::SUPPLY,
            rts: false,
            status: None,
            known_off: false,
            power: None,
            power_until: 0,
            power_on_at: None,
            powered_at: 0,
            hold_until: now_ms,
            backoff_until: now_ms,
            booting: false,
            init_since: now_ms,
            busy_delay: BUSY_RETRY_MS,
            text_mode: false,
            pdu_refusals: 0,
            silent_commands: 0,
            init_failures: 0,
            unregistered_since: None,
            next_poll: now_ms + POLL_INTERVAL_MS,
            next_check: now_ms + SETTINGS_CHECK_MS,
            registration_poll: None,
            backoff: FIRST_BACKOFF_MS,
            registered: None,
            domains: [None; 3],
            unregistered_reinits: 0,
        }
    }

    /// An init starts.
    pub(super) fn begin_init(&mut self, now_ms: u64) {
        // Every init asks for PDU mode again: a refusal may have been transient.
        self.text_mode = self.profile.sms_mode == SmsMode::Text;
        self.pdu_refusals = 0;
        self.init_failures = 0;
        self.init_since = now_ms;
        self.busy_delay = BUSY_RETRY_MS;
    }

    /// Init command `step`; `None` past the end.
    fn init_command(&self, step: u8) -> Option<&'static str> {
        let mut step = usize::from(step);
        for part in self.init_parts() {
            match part.get(step) {
                Some(command) => return Some(command),
                None => step -= part.len(),
            }
        }
        None
    }

    /// The init: the head, the message format, the storage, the profile's
    /// commands (`+CNMI`, `+CLIP`), the list of what the storage holds, then
    /// the flow control the board asked for. The list comes after `+CNMI`:
    /// nothing is missed between the two (a message stored in between is
    /// announced and listed, and handed out once), a message announced
    /// before the list is fresh, and calls are identified again without
    /// waiting for a list that takes seconds on a full SIM. Slices rather
    /// than an iterator chain: this runs on every init step, and the
    /// chain's code is three times larger.
    fn init_parts(&self) -> [&'static [&'static str]; 6] {
        let format = if self.text_mode {
            TEXT_FORMAT
        } else {
            PDU_FORMAT
        };
        let flow: &'static [&'static str] = if self.rts { &[FLOW_CONTROL] } else { &[] };
        [
            &INIT_HEAD,
            format,
            &[STORAGE],
            self.profile.init,
            &[LIST],
            flow,
        ]
    }

    /// Init command `step` as it goes out.
    pub(super) fn init_line(&self, step: u8) -> Option<InitCommand> {
        match self.init_command(step)? {
            LIST => Some(InitCommand::List(self.list_command())),
            // Step 2 is `AT+CPIN?`, the last of INIT_HEAD: its answer is read.
            cmd => Some(InitCommand::Plain(cmd, (step == 2).then_some(b"+CPIN"))),
        }
    }

    /// Init command `step` is the list of stored messages.
    pub(super) fn lists(&self, step: u8) -> bool {
        self.init_command(step) == Some(LIST)
    }

    pub(super) fn list_command(&self) -> &'static [u8] {
        if self.text_mode {
            b"AT+CMGL=\"ALL\""
        } else {
            b"AT+CMGL=4"
        }
    }

    /// Init command `step` answered `OK`; `true` if it was the last one.
    pub(super) fn init_ok(&mut self, now_ms: u64, step: u8) -> bool {
        self.init_failures = 0;
        self.busy_delay = BUSY_RETRY_MS;
        let count: usize = self.init_parts().iter().map(|part| part.len()).sum();
        if usize::from(step) + 1 < count {
            return false;
        }
        self.backoff = FIRST_BACKOFF_MS;
        self.next_poll = now_ms;
        self.next_check = now_ms + SETTINGS_CHECK_MS;
        true
    }

    /// Init command `step` was refused; `true` if it was `AT+CMGF=0`: no
    /// PDU mode, text mode after [`INIT_ATTEMPTS`] refusals (a garbled
    /// command is refused too).
    pub(super) fn pdu_mode_refused(&mut self, step: u8) -> bool {
        if self.init_command(step) != Some(PDU_MODE) {
            return false;
        }
        self.pdu_refusals = self.pdu_refusals.saturating_add(1);
        self.text_mode = self.pdu_refusals >= INIT_ATTEMPTS;
        true
    }

    /// Init command `step` is nice to have (the character set and header
    /// details): its failure does not matter.
    pub(super) fn optional(&self, step: u8) -> bool {
        self.init_command(step)
            .is_some_and(|c| TEXT_FORMAT.get(1..).unwrap_or_default().contains(&c))
    }

    /// An init command failed: try it again, or power-cycle after
    /// [`INIT_ATTEMPTS`] failed tries.
    pub(super) fn init_failed(&mut self, now_ms: u64) -> Retry {
        self.init_failures = self.init_failures.saturating_add(1);
        if self.init_failures >= INIT_ATTEMPTS {
            return Retry::PowerCycle;
        }
        self.hold_until = now_ms + BUSY_RETRY_MS;
        Retry::Again
    }

    /// The modem answered an init command with "busy": it is still
    /// starting. Ask again later, without counting a failure, until
    /// [`BOOT_LIMIT_MS`] after the init began.
    pub(super) fn init_busy(&mut self, now_ms: u64) -> Retry {
        if now_ms.saturating_sub(self.init_since) >= BOOT_LIMIT_MS {
            return self.init_failed(now_ms);
        }
        self.hold_until = now_ms + self.busy_delay;
        self.busy_delay = (self.busy_delay * 2).min(8 * BUSY_RETRY_MS);
        Retry::Again
    }

    /// The modem (re)booted: its SMS service comes up
    /// [`Profile::boot_ms`] later at most, or when it says so.
    pub(super) fn booted(&mut self, now_ms: u64) {
        self.booting = true;
        self.hold_until = now_ms + self.profile.boot_ms;
    }

    /// Powered up by our own pin: the boot began when the pin went on, and
    /// the back-off since then counts towards it.
    pub(super) fn powered_up(&mut self, now_ms: u64) {
        self.booting = true;
        let booted_at = self.powered_at.saturating_add(self.profile.boot_ms);
        self.hold_until = booted_at.max(now_ms);
    }

    /// The modem's "SMS ready" line: the boot hold is over.
    pub(super) fn sms_ready(&mut self, now_ms: u64) {
        if core::mem::take(&mut self.booting) {
            self.hold_until = now_ms;
        }
    }

    /// Init commands wait until `now_ms + wait_ms`.
    pub(super) fn hold(&mut self, now_ms: u64, wait_ms: u64) {
        self.hold_until = now_ms + wait_ms;
    }

    /// Init commands must wait.
    pub(super) fn held(&self, now_ms: u64) -> bool {
        now_ms < self.hold_until.max(self.backoff_until)
    }

    /// The board's power wiring.
    pub(super) fn set_wiring(&mut self, wiring: PowerWiring) {
        self.wiring = wiring;
    }

    pub(super) fn set_rts_flow_control(&mut self) {
        self.rts = true;
    }

    /// The module's STATUS output, if the board reads it; `true` when the
    /// level is news that a PWRKEY modem is off (it may be pulsed on now).
    pub(super) fn set_status(&mut self, on: bool) -> bool {
        let known = self.wiring.status && self.profile.status_output;
        let was = self.status.replace(on);
        known && self.wiring.pin == PowerPin::PwrKey && !on && was != Some(false)
    }

    /// How to restart the modem now. A supply cut always works. A PWRKEY
    /// pulse switches a running modem off, so it is given only to a modem
    /// known to be off (STATUS low) or dead (the last command went
    /// unanswered); a running one is restarted with `AT+CFUN=1,1`.
    pub(super) fn restart(&self) -> Restart {
        let status = match self.wiring.status && self.profile.status_output {
            true => self.status,
            false => None,
        };
        if self.known_off {
            return Restart::Power;
        }
        match (self.wiring.pin, status) {
            (PowerPin::Supply, _) | (PowerPin::PwrKey, Some(false)) => Restart::Power,
            (PowerPin::PwrKey, _) if self.silent_commands > 0 => Restart::Power,
            (PowerPin::PwrKey, _) => Restart::Command,
        }
    }

    /// The modem said it powers down; `true` if the pin is PWRKEY, which
    /// can switch it on again now.
    pub(super) fn powered_down(&mut self) -> bool {
        self.known_off = true;
        self.wiring.pin == PowerPin::PwrKey
    }

    /// A restart by command: the modem reboots; the init waits the back-off
    /// (or less, if the modem says its SMS service is up).
    pub(super) fn restarted_by_command(&mut self, now_ms: u64) {
        self.init_failures = 0;
        self.booting = true;
        self.hold_until = now_ms + self.profile.boot_ms;
        self.backoff_until = now_ms + self.backoff;
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF_MS);
    }

    /// The power pin goes off, on after the profile's pulse, and the
    /// modem is given the back-off to come up.
    pub(super) fn power_off(&mut self, now_ms: u64) {
        self.init_failures = 0;
        // A dead modem behind PWRKEY may be on: hold the key long enough to
        // switch it off (a modem that is off comes on all the same).
        let pulse = match (self.wiring.pin, self.known_off) {
            (PowerPin::PwrKey, false) => self.profile.power_off_ms,
            _ => self.profile.power_pulse_ms,
        };
        self.known_off = false;
        self.power = Some(false);
        let on_at = now_ms + pulse;
        self.power_on_at = Some(on_at);
        self.power_until = on_at + self.backoff;
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF_MS);
    }

    /// Time passes while powering up: the pin goes on, and `true` once
    /// the back-off is over (the modem has booted).
    pub(super) fn power_tick(&mut self, now_ms: u64) -> bool {
        if self.power_on_at.is_some_and(|t| now_ms >= t) {
            self.power_on_at = None;
            self.powered_at = now_ms;
            self.power = Some(true);
        }
        if now_ms >= self.power_until {
            self.next_poll = now_ms + self.profile.boot_ms;
            return true;
        }
        false
    }

    /// A change for the power pin, if any.
    pub(super) fn poll_power(&mut self) -> Option<bool> {
        self.power.take()
    }

    /// When powering up next needs time to pass.
    pub(super) fn power_wake(&self) -> u64 {
        self.power_on_at.unwrap_or(self.power_until)
    }

    /// When supervision next needs time to pass: polls once commands can
    /// start (`startable`), the hold when an init command waits
    /// (`init_waits`); the next full poll when nothing else is due.
    pub(super) fn wake_at(&self, startable: bool, init_waits: bool) -> [Option<u64>; 3] {
        let registration = self.registration_poll.filter(|_| startable);
        let poll = startable.then_some(self.next_poll.min(self.next_check));
        let init = init_waits.then_some(self.hold_until.max(self.backoff_until));
        [registration, poll, init]
    }

    /// The next full poll.
    pub(super) fn next_poll(&self) -> u64 {
        self.next_poll
    }

    /// The polls due now (the driver is ready).
    pub(super) fn polls_due(&mut self, now_ms: u64) -> Polls {
        let registration = self.registration_poll.is_some_and(|t| now_ms >= t);
        if registration {
            self.registration_poll = None;
        }
        let check = now_ms >= self.next_check;
        if check || registration || now_ms >= self.next_poll {
            self.next_check = now_ms + SETTINGS_CHECK_MS;
        }
        if now_ms >= self.next_poll {
            self.next_poll = now_ms + POLL_INTERVAL_MS;
            return Polls::All;
        }
        match (registration, check) {
            (true, _) => Polls::Registration,
            (false, true) => Polls::Check,
            (false, false) => Polls::Nothing,
        }
    }

    /// The next registration poll in [`REGISTRATION_RETRY_MS`]: a lost
    /// `+CREG` URC must not cost a whole [`POLL_INTERVAL_MS`].
    pub(super) fn poll_again_soon(&mut self, now_ms: u64) {
        let at = now_ms + REGISTRATION_RETRY_MS;
        self.registration_poll = Some(self.registration_poll.map_or(at, |t| t.min(at)));
    }

    /// Manual §17: unregistered for 5 minutes re-initialises; if that does
    /// not bring the network back, power cycles follow after 10, 20, 40
    /// and then every 60 minutes (an outage is not the modem's fault).
    pub(super) fn unregistered_escalation(&mut self, now_ms: u64) -> Option<Escalation> {
        let limit = UNREGISTERED_LIMIT_MS << self.unregistered_reinits.min(4);
        let limit = limit.min(12 * UNREGISTERED_LIMIT_MS);
        let since = self.unregistered_since?;
        if now_ms.saturating_sub(since) < limit {
            return None;
        }
        // The time counts again from the first poll after the init.
        self.unregistered_since = None;
        self.unregistered_reinits = self.unregistered_reinits.saturating_add(1);
        match self.unregistered_reinits {
            1 => Some(Escalation::Reinit),
            _ => Some(Escalation::PowerCycle),
        }
    }

    /// A command went unanswered; `true` when three in a row did: the
    /// modem must be initialised again.
    pub(super) fn silent(&mut self) -> bool {
        self.silent_commands = self.silent_commands.saturating_add(1);
        self.silent_commands >= 3
    }

    /// A command was answered.
    pub(super) fn answered(&mut self) {
        self.silent_commands = 0;
    }

    /// Sends may go: registered, or not known to be unregistered.
    pub(super) fn may_send(&self) -> bool {
        self.registered.is_none_or(RegStatus::is_registered)
    }

    /// Known to be registered.
    pub(super) fn registered(&self) -> bool {
        self.registered.is_some_and(RegStatus::is_registered)
    }

    /// One domain's registration; the modem is registered when any of the
    /// profile's domains is. Returns the combined registration.
    pub(super) fn on_domain(&mut self, domain: Domain, status: RegStatus) -> Option<RegStatus> {
        if !self.profile.domains.contains(&domain) {
            return None;
        }
        if let Some(slot) = self.domains.get_mut(domain.index()) {
            *slot = Some(status);
        }
        let reports = self.profile.domains.iter();
        let statuses = reports.filter_map(|d| self.domains.get(d.index()).copied().flatten());
        statuses
            .clone()
            .find(|s| s.is_registered())
            .or_else(|| statuses.clone().next())
    }

    /// The combined registration changed to `s`; `true` if the network
    /// is back (sends that waited out a back-off for it may go).
    pub(super) fn on_registration(&mut self, now_ms: u64, s: RegStatus) -> bool {
        let was_registered = self.registered();
        self.registered = Some(s);
        if s.is_registered() {
            self.unregistered_since = None;
            self.unregistered_reinits = 0;
            self.registration_poll = None;
            !was_registered
        } else {
            // Its return may come as a URC that noise garbles: poll too.
            self.poll_again_soon(now_ms);
            self.unregistered_since.get_or_insert(now_ms);
            false
        }
    }
}
