//! Network state: registration, signal, SIM state and network time
//! (3GPP TS 27.007 §7.2 `+CREG`, §10.1.19 `+CGREG`, §10.1.22 `+CEREG`,
//! §8.5 `+CSQ`, §8.3 `+CPIN`, §8.15 `+CCLK`, plus vendor time URCs).

use chrono::{DateTime, FixedOffset, NaiveDateTime};

use crate::fields::{self, Field, Fields};
use crate::time;

/// Which registration a `+CxREG` line reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Domain {
    /// `+CREG`: circuit switched (calls, SMS).
    Cs,
    /// `+CGREG`: GPRS.
    Gprs,
    /// `+CEREG`: LTE.
    Eps,
}

impl Domain {
    /// All domains, in the order of [`Domain::prefix`].
    pub const ALL: [Domain; 3] = [Domain::Cs, Domain::Gprs, Domain::Eps];

    /// The line prefix.
    pub const fn prefix(self) -> &'static [u8] {
        match self {
            Domain::Cs => b"+CREG",
            Domain::Gprs => b"+CGREG",
            Domain::Eps => b"+CEREG",
        }
    }

    pub(crate) const fn index(self) -> usize {
        match self {
            Domain::Cs => 0,
            Domain::Gprs => 1,
            Domain::Eps => 2,
        }
    }
}

/// `<stat>` of `+CREG` and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegStatus {
    /// 0: not registered, not searching.
    NotRegistered,
    /// 1: registered, home network.
    Home,
    /// 2: searching.
    Searching,
    /// 3: registration denied.
    Denied,
    /// 4, an empty field, or anything unparsable.
    Unknown,
    /// 5: registered, roaming.
    Roaming,
    /// 6–11 (SMS only, emergency, CSFB …): registered for our purposes if `registered`.
    Other {
        /// The raw code.
        code: u8,
        /// Whether SMS can be used.
        registered: bool,
    },
}

impl RegStatus {
    /// The status for a 27.007 code.
    pub fn from_code(code: u8) -> Self {
        match code {
            0 => RegStatus::NotRegistered,
            1 => RegStatus::Home,
            2 => RegStatus::Searching,
            3 => RegStatus::Denied,
            5 => RegStatus::Roaming,
            6 | 7 | 9 | 10 => RegStatus::Other {
                code,
                registered: true,
            },
            4 => RegStatus::Unknown,
            _ => RegStatus::Other {
                code,
                registered: false,
            },
        }
    }

    /// Whether SMS and calls can be used.
    pub fn is_registered(self) -> bool {
        matches!(
            self,
            RegStatus::Home
                | RegStatus::Roaming
                | RegStatus::Other {
                    registered: true,
                    ..
                }
        )
    }
}

/// A registration report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registration {
    /// Which registration.
    pub domain: Domain,
    /// The status.
    pub status: RegStatus,
    /// Location (tracking) area code, if reported.
    pub lac: Option<u32>,
    /// Cell id, if reported.
    pub cell: Option<u32>,
}

fn status_of(field: Option<Field<'_>>) -> RegStatus {
    field
        .and_then(|f| f.number::<u8>())
        .map_or(RegStatus::Unknown, RegStatus::from_code)
}

fn registration(domain: Domain, mut f: Fields<'_>) -> Registration {
    let status = status_of(f.next());
    let lac = f.next().and_then(|f| f.hex());
    let cell = f.next().and_then(|f| f.hex());
    Registration {
        domain,
        status,
        lac,
        cell,
    }
}

/// Whether a `+CxREG` parameter list is the solicited read answer
/// (`<n>,<stat>[,…]`) rather than the URC (`<stat>[,…]`), given the `n`
/// we configured.
///
/// The field count alone is ambiguous (`2,1,lac,ci` vs `1,lac,ci,act`), so
/// the first field must be `n` (or another `n` from 0 to 2, which a modem
/// that reset without a word answers with) and the second must be a status
/// code (decimal, at most 11, or empty as on the Novatel XU870).
pub(crate) fn is_solicited_reg(params: &[u8], n: u8) -> bool {
    let mut f = Fields::new(params);
    let first = f.next().and_then(|f| f.number::<u8>());
    let second = f.next();
    let second_is_stat = second
        .is_some_and(|s| !s.quoted && (s.is_empty() || s.number::<u8>().is_some_and(|v| v <= 11)));
    let count = fields::count(params);
    // A modem that forgot its settings (a silent reset) answers with its
    // power-on `n`: still the answer, and the caller checks `n`.
    let Some(n) = first.filter(|&f| f == n || f <= 2) else {
        return false;
    };
    let count_fits = match n {
        0 | 1 => count == 2,
        // `2,,` (Novatel XU870): a solicited answer with nothing known. Three
        // fields are no URC either, whose second field is a quoted `<lac>`:
        // a line noise cut a quote from (`2,1,CE00","01CEAD8F"`) is still
        // the answer, not "searching".
        _ => count >= 2,
    };
    second_is_stat && count_fits
}

/// Parses a `+CREG:`/`+CGREG:`/`+CEREG:` line, solicited (`solicited`) or URC.
pub fn parse_registration(line: &[u8], solicited: bool) -> Option<Registration> {
    let domain = Domain::ALL
        .into_iter()
        .find(|d| fields::params(line, d.prefix()).is_some())?;
    let mut f = fields::fields(line, domain.prefix())?;
    if solicited {
        f.next();
    }
    Some(registration(domain, f))
}

/// `+CSQ: <rssi>,<ber>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalQuality {
    /// 0–31, or 99 for unknown.
    pub rssi: u8,
    /// Bit error rate class 0–7, or 99.
    pub ber: u8,
}

impl SignalQuality {
    /// The received signal strength in dBm (27.007 §8.5: 0 is −113 dBm or
    /// less, 31 is −51 dBm or more), `None` when unknown.
    pub fn dbm(self) -> Option<i16> {
        (self.rssi <= 31).then(|| -113 + 2 * i16::from(self.rssi))
    }
}

/// Parses `+CSQ: 18,99` and `+CSQ:4,0`.
pub fn parse_csq(line: &[u8]) -> Option<SignalQuality> {
    let mut f = fields::fields(line, b"+CSQ")?;
    let rssi = f.next()?.number()?;
    let ber = f.next().and_then(|f| f.number()).unwrap_or(99);
    Some(SignalQuality { rssi, ber })
}

/// `+CPIN: <code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimState {
    /// `READY`.
    Ready,
    /// `SIM PIN`.
    PinRequired,
    /// `SIM PUK`.
    PukRequired,
    /// `NOT INSERTED` (SIMCom) or `NOT READY`.
    NotInserted,
    /// Any other code (`PH-SIM PIN`, `SIM PIN2` …).
    Other,
}

/// Parses `+CPIN: READY` and friends.
pub fn parse_cpin(line: &[u8]) -> Option<SimState> {
    let code = fields::fields(line, b"+CPIN")?.next()?.bytes;
    Some(match code {
        b"READY" => SimState::Ready,
        b"SIM PIN" => SimState::PinRequired,
        b"SIM PUK" => SimState::PukRequired,
        b"NOT INSERTED" | b"NOT READY" => SimState::NotInserted,
        _ => SimState::Other,
    })
}

/// Parses `+CCLK: "yy/MM/dd,hh:mm:ss±zz"` (quoted or not).
pub fn parse_cclk(line: &[u8]) -> Option<DateTime<FixedOffset>> {
    time::parse_text(fields::params(line, b"+CCLK")?)
}

/// Network time and zone from the network-time URCs (NITZ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NetworkTime {
    /// Universal time, when the URC carries it (`*PSUTTZ`, `+CTZE`).
    pub utc: Option<NaiveDateTime>,
    /// Local zone in quarters of an hour.
    pub zone_quarters: Option<i8>,
    /// Daylight-saving adjustment in hours (0–2).
    pub dst: Option<u8>,
}

impl NetworkTime {
    /// The local time with its offset, when both are known.
    pub fn local(&self) -> Option<DateTime<FixedOffset>> {
        let offset = time::zone(i32::from(self.zone_quarters?))?;
        Some(self.utc?.and_utc().with_timezone(&offset))
    }
}

fn quarters(field: Field<'_>) -> Option<i8> {
    let text = field.bytes;
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let q: i8 = Field {
        bytes: digits,
        quoted: false,
    }
    .number()?;
    (i32::from(q) <= time::MAX_ZONE_QUARTERS).then_some(if negative { -q } else { q })
}

/// Parses `+CTZV: "+32"[,dst]`, `+CTZE: "+32",0,"2019/01/01,12:00:00"`,
/// `*PSUTTZ: 2017,8,1,10,20,30,"+32",0` (SIMCom) and `DST: 1`.
pub fn parse_network_time(line: &[u8]) -> Option<NetworkTime> {
    if let Some(mut f) = fields::fields(line, b"+CTZV") {
        let zone_quarters = quarters(f.next()?);
        let dst = f.next().and_then(|f| f.number());
        return Some(NetworkTime {
            zone_quarters,
            dst,
            utc: None,
        });
    }
    if let Some(mut f) = fields::fields(line, b"+CTZE") {
        let zone_quarters = quarters(f.next()?);
        let dst = f.next().and_then(|f| f.number());
        let utc = f
            .next()
            .and_then(|t| time::parse_text(t.bytes))
            .map(|t| t.naive_utc());
        return Some(NetworkTime {
            zone_quarters,
            dst,
            utc,
        });
    }
    if let Some(f) = fields::fields(line, b"*PSUTTZ") {
        let mut n = [0u32; 6];
        let mut f = f.peekable();
        for slot in &mut n {
            *slot = f.next()?.number()?;
        }
        let [y, mo, d, h, mi, s] = n;
        let utc = time::naive(y % 100, mo, d, h, mi, s);
        let zone_quarters = f.next().and_then(quarters);
        let dst = f.next().and_then(|f| f.number());
        return Some(NetworkTime {
            utc,
            zone_quarters,
            dst,
        });
    }
    let dst = fields::fields(line, b"DST")?.next()?.number()?;
    Some(NetworkTime {
        dst: Some(dst),
        ..NetworkTime::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_shapes() {
        // MMH mercury: solicited n=1 vs URC.
        assert!(!is_solicited_reg(b"1,84CD,00D30156", 2));
        assert!(is_solicited_reg(b"2,1,\"CE00\",\"01CEAD8F\"", 2));
        // u-blox URC with AcT has the same field count as a solicited answer without it.
        assert!(!is_solicited_reg(b"6,\"8B37\",\"0A265185\",7", 2));
        assert!(is_solicited_reg(b"2,6,\"8B37\",\"0A265185\",7", 2));
        assert!(is_solicited_reg(b"0,1", 0));
        assert!(!is_solicited_reg(b"1", 0));
        assert!(is_solicited_reg(b"2,,", 2));
        // A quote lost to line noise leaves three fields: still the answer.
        assert!(is_solicited_reg(b"2,1,CE00\",\"01CEAD8F\"", 2));
        assert!(!is_solicited_reg(b"2,\"CE00\",\"01CEAD8F\"", 2));
        let r = parse_registration(b"+CREG:002,001,\"18d8\",\"ffff\"", true).unwrap();
        assert_eq!(r.status, RegStatus::Home);
        assert_eq!(r.lac, Some(0x18d8));
        let r = parse_registration(b"+CREG: 2,1,4CA,81DE445", true).unwrap();
        assert_eq!((r.lac, r.cell), (Some(0x4CA), Some(0x81DE445)));
        let r = parse_registration(b"+CREG: 11", false).unwrap();
        assert!(!r.status.is_registered());
    }

    #[test]
    fn csq_dbm() {
        assert_eq!(parse_csq(b"+CSQ: 18,99").unwrap().dbm(), Some(-77));
        assert_eq!(parse_csq(b"+CSQ:4,0").unwrap().rssi, 4);
        assert_eq!(parse_csq(b"+CSQ: 99,99").unwrap().dbm(), None);
    }

    #[test]
    fn network_time_urcs() {
        let t = parse_network_time(b"*PSUTTZ: 2017,8,1,10,20,30,\"+32\",0").unwrap();
        assert_eq!(t.local().unwrap().to_rfc3339(), "2017-08-01T18:20:30+08:00");
        assert_eq!(
            parse_network_time(b"+CTZV: \"-20\"").unwrap().zone_quarters,
            Some(-20)
        );
        assert_eq!(parse_network_time(b"DST: 1").unwrap().dst, Some(1));
        let t = parse_network_time(b"+CTZE: \"+08\",1,\"2019/01/01,12:00:00\"").unwrap();
        assert_eq!(t.local().unwrap().to_rfc3339(), "2019-01-01T14:00:00+02:00");
    }
}
