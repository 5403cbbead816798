//! Unsolicited result codes (3GPP TS 27.007 and 27.005 §3.4, plus the
//! SIMCom, Quectel and u-blox start-up and power lines).

use chrono::{DateTime, FixedOffset};

use crate::calls::{self, CallProgress, CallStatus, CallerId};
use crate::fields;
use crate::network::{self, NetworkTime, Registration, SignalQuality, SimState};
use crate::ussd::UssdLine;

/// An unsolicited result code, typed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Urc<'a> {
    /// `+CMTI: "SM",3`: a new message stored at `index`.
    NewSms {
        /// Storage name (`SM`, `ME`, `MT`).
        storage: &'a [u8],
        /// Index in that storage.
        index: u16,
    },
    /// `+CMT:` header and its body line: a message delivered directly
    /// (a PDU in PDU mode, the text in text mode).
    Sms {
        /// The header parameters.
        header: &'a [u8],
        /// The PDU hex or the text.
        body: &'a [u8],
    },
    /// `+CDSI: "SM",3`: a new status report stored at `index`.
    NewStatusReport {
        /// Index in storage.
        index: u16,
    },
    /// `+CDS:` status report (text form: `body` is empty).
    StatusReport {
        /// The header parameters.
        header: &'a [u8],
        /// The PDU hex (PDU mode).
        body: &'a [u8],
    },
    /// `RING`.
    Ring,
    /// `+CRING: VOICE` (with `AT+CRC=1`).
    CRing,
    /// `+CLIP`: the caller of the ringing call.
    CallerId(CallerId),
    /// `+CLCC` sent unsolicited (SIMCom `AT+CLCC=1`).
    CallStatus(CallStatus),
    /// Vendor call progress (`+COLP`, `MO CONNECTED`, `^CEND` …).
    CallProgress(CallProgress),
    /// `+CUSD`: a USSD answer, decoded on demand.
    Ussd(UssdLine<'a>),
    /// `+CCLK` sent unsolicited: the modem's clock.
    Clock(DateTime<FixedOffset>),
    /// `+CTZV`, `+CTZE`, `*PSUTTZ`, `DST`: network time and zone.
    NetworkTime(NetworkTime),
    /// `+CSQ` sent unsolicited.
    Signal(SignalQuality),
    /// `+CREG`, `+CGREG`, `+CEREG` in URC form.
    Registration(Registration),
    /// `+CPIN` sent unsolicited (SIMCom after boot).
    Sim(SimState),
    /// `RDY` (SIMCom, Quectel) or `*ATREADY: 1` (SIMCom A76xx): the modem
    /// (re)booted.
    Ready,
    /// `Call Ready`.
    CallReady,
    /// `SMS Ready` (SIM800, M66), `SMS DONE` (SIM7600, A76xx) or `+QIND:
    /// SMS DONE` (EC2x): the SMS service is up after a boot.
    SmsReady,
    /// `NORMAL POWER DOWN`.
    PowerDown,
    /// `UNDER-VOLTAGE POWER DOWN` / `UNDER-VOLTAGE WARNNING` (sic, SIMCom).
    UnderVoltage,
}

/// Parses a line that is known not to be a solicited answer; `None` if it
/// is no URC (or a URC too broken to type, which then reads as an info line).
pub(crate) fn parse(line: &[u8]) -> Option<Urc<'_>> {
    const WORDS: [(&[u8], Urc<'static>); 10] = [
        (b"RING", Urc::Ring),
        (b"RDY", Urc::Ready),
        (b"*ATREADY: 1", Urc::Ready),
        (b"Call Ready", Urc::CallReady),
        (b"SMS Ready", Urc::SmsReady),
        (b"SMS DONE", Urc::SmsReady),
        (b"+QIND: SMS DONE", Urc::SmsReady),
        (b"NORMAL POWER DOWN", Urc::PowerDown),
        (b"UNDER-VOLTAGE POWER DOWN", Urc::UnderVoltage),
        (b"UNDER-VOLTAGE WARNNING", Urc::UnderVoltage),
    ];
    // Most URCs start with '+': those skip the word table.
    if line.first() != Some(&b'+') || line.starts_with(b"+QIND") {
        if let Some((_, urc)) = WORDS.iter().find(|(w, _)| line == *w) {
            return Some(urc.clone());
        }
    }
    if let Some(mut f) = fields::fields(line, b"+CMTI") {
        let storage = f.next()?.bytes;
        let index = f.next()?.number()?;
        return Some(Urc::NewSms { storage, index });
    }
    if let Some(mut f) = fields::fields(line, b"+CDSI") {
        let index = f.nth(1)?.number()?;
        return Some(Urc::NewStatusReport { index });
    }
    if let Some(header) = fields::params(line, b"+CDS") {
        return Some(Urc::StatusReport { header, body: &[] });
    }
    if let Some(kind) = fields::params(line, b"+CRING") {
        return kind.starts_with(b"VOICE").then_some(Urc::CRing);
    }
    if line.starts_with(b"+CLIP") {
        return calls::parse_clip(line).map(Urc::CallerId);
    }
    if line.starts_with(b"+CLCC") {
        return calls::parse_clcc(line).map(Urc::CallStatus);
    }
    if line.starts_with(b"+CUSD") {
        return UssdLine::new(line).map(Urc::Ussd);
    }
    if line.starts_with(b"+CCLK") {
        return network::parse_cclk(line).map(Urc::Clock);
    }
    if line.starts_with(b"+CSQ") {
        return network::parse_csq(line).map(Urc::Signal);
    }
    if line.starts_with(b"+CPIN") {
        return network::parse_cpin(line).map(Urc::Sim);
    }
    if network::Domain::ALL
        .iter()
        .any(|d| line.starts_with(d.prefix()))
    {
        return network::parse_registration(line, false).map(Urc::Registration);
    }
    if [&b"+CTZV"[..], b"+CTZE", b"*PSUTTZ", b"DST:"]
        .iter()
        .any(|p| line.starts_with(p))
    {
        return network::parse_network_time(line).map(Urc::NetworkTime);
    }
    calls::parse_progress(line).map(Urc::CallProgress)
}
