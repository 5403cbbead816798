//! Voice calls: caller id and call state (3GPP TS 27.007 §7.6 `+CLIP`,
//! §7.18 `+CLCC`, §7.8 `+COLP`, plus the vendor call-progress lines).

use heapless::String;

use crate::fields;

/// Capacity of a phone number (20 digits and a `+`, with room to spare).
pub const NUMBER_LEN: usize = 24;

/// A phone number as the modem reports it.
pub type Number = String<NUMBER_LEN>;

/// Copies up to [`NUMBER_LEN`] bytes of a number; non-UTF-8 gives an empty number.
pub(crate) fn number(bytes: &[u8]) -> Number {
    let text = core::str::from_utf8(bytes).unwrap_or_default();
    // The longest whole-character prefix that fits, copied at once.
    let mut end = text.len().min(NUMBER_LEN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut n = Number::new();
    n.push_str(text.get(..end).unwrap_or_default()).ok();
    n
}

/// `+CLIP: "<number>",<type>[,…]`: the caller of an incoming call. Wavecom
/// sends only the first two fields; SIMCom adds empty quoted ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerId {
    /// The number, `+`-prefixed when international; empty when withheld.
    pub number: Number,
    /// Type of address (129 national/unknown, 145 international).
    pub toa: u8,
}

/// Parses a `+CLIP:` URC (the solicited `+CLIP: <n>,<m>` has no quoted number).
pub fn parse_clip(line: &[u8]) -> Option<CallerId> {
    let mut f = fields::fields(line, b"+CLIP")?;
    let num = f.next()?;
    let toa = f.next().and_then(|f| f.number()).unwrap_or(129);
    let mut number = number(num.bytes);
    if toa == 145 && !number.is_empty() && !number.starts_with('+') {
        let mut plus = Number::new();
        plus.push('+').ok()?;
        if plus.push_str(&number).is_ok() {
            number = plus;
        }
    }
    Some(CallerId { number, toa })
}

/// Whether `+CLIP:` params are the URC (a quoted number first).
pub(crate) fn is_clip_urc(params: &[u8]) -> bool {
    params.first() == Some(&b'"') || fields::count(params) > 2
}

/// `<stat>` of `+CLCC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallState {
    /// 0: active (answered).
    Active,
    /// 1: held.
    Held,
    /// 2: dialling (MO).
    Dialing,
    /// 3: alerting (MO, the far end rings).
    Alerting,
    /// 4: incoming (MT).
    Incoming,
    /// 5: waiting (MT).
    Waiting,
    /// 6: disconnect (SIMCom URC).
    Disconnected,
    /// Anything else.
    Other(u8),
}

impl CallState {
    fn from_code(code: u8) -> Self {
        match code {
            0 => CallState::Active,
            1 => CallState::Held,
            2 => CallState::Dialing,
            3 => CallState::Alerting,
            4 => CallState::Incoming,
            5 => CallState::Waiting,
            6 => CallState::Disconnected,
            other => CallState::Other(other),
        }
    }
}

/// One `+CLCC:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallStatus {
    /// Call index.
    pub id: u8,
    /// Whether we placed the call.
    pub outgoing: bool,
    /// The state.
    pub state: CallState,
    /// The other party, if reported.
    pub number: Number,
}

/// Parses `+CLCC: 1,0,2,0,0,"<num>",129`.
pub fn parse_clcc(line: &[u8]) -> Option<CallStatus> {
    let mut f = fields::fields(line, b"+CLCC")?;
    let id = f.next()?.number()?;
    let outgoing = f.next()?.number::<u8>()? == 0;
    let state = CallState::from_code(f.next()?.number()?);
    let number = f.nth(2).map(|f| number(f.bytes)).unwrap_or_default();
    Some(CallStatus {
        id,
        outgoing,
        state,
        number,
    })
}

/// The caller of a ringing incoming call (`<dir>` 1, `<stat>` 4 incoming
/// or 5 waiting) in a `+CLCC` line (27.007 §7.18: `<number>` and `<type>`
/// follow `<mode>` and `<mpty>`); `None` for any other call or no number.
pub fn clcc_caller(line: &[u8]) -> Option<CallerId> {
    let status = parse_clcc(line)?;
    let ringing = matches!(status.state, CallState::Incoming | CallState::Waiting);
    if status.outgoing || !ringing || status.number.is_empty() {
        return None;
    }
    let toa = fields::fields(line, b"+CLCC")?
        .nth(6)
        .and_then(|f| f.number());
    Some(with_plus(status.number, toa.unwrap_or(129)))
}

/// `number` of type `toa`, `+`-prefixed when international (145).
fn with_plus(number: Number, toa: u8) -> CallerId {
    if toa == 145 && !number.is_empty() && !number.starts_with('+') {
        let mut plus = Number::new();
        if plus.push('+').is_ok() && plus.push_str(&number).is_ok() {
            return CallerId { number: plus, toa };
        }
    }
    CallerId { number, toa }
}

/// What a vendor call-progress line says about our outgoing call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallProgress {
    /// The far end rings (`MO RING`, `^CONF`, `+WIND: 2`).
    Alerting,
    /// The far end answered (`+COLP`, `MO CONNECTED`, `CONNECT`, `^CONN`).
    Answered,
    /// The call ended (`^CEND`, `HANGUP:`, `+WIND: 6`).
    Ended,
}

/// Classifies a vendor call-progress line.
pub fn parse_progress(line: &[u8]) -> Option<CallProgress> {
    const TABLE: [(&[u8], CallProgress); 9] = [
        (b"+COLP:", CallProgress::Answered),
        (b"MO CONNECTED", CallProgress::Answered),
        (b"CONNECT", CallProgress::Answered),
        (b"^CONN:", CallProgress::Answered),
        (b"MO RING", CallProgress::Alerting),
        (b"^CONF:", CallProgress::Alerting),
        (b"+WIND: 2", CallProgress::Alerting),
        (b"^CEND:", CallProgress::Ended),
        (b"HANGUP:", CallProgress::Ended),
    ];
    if line.starts_with(b"+WIND: 6") {
        return Some(CallProgress::Ended);
    }
    TABLE
        .iter()
        .find(|(p, _)| line.starts_with(p))
        .map(|(_, progress)| *progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_forms() {
        let c = parse_clip(br#"+CLIP: "+27821231234",145,,,,0"#).unwrap();
        assert_eq!(c.number, "+27821231234");
        assert_eq!(
            parse_clip(br#"+CLIP: "123456789",129"#).unwrap().number,
            "123456789"
        );
        assert_eq!(
            parse_clip(br#"+CLIP: "27821231234",145,"",0,"",0"#)
                .unwrap()
                .number,
            "+27821231234"
        );
        assert!(!is_clip_urc(b"1,1"));
        assert!(is_clip_urc(br#""1",129"#));
    }

    #[test]
    fn clcc() {
        let c = parse_clcc(br#"+CLCC: 1,0,2,0,0,"+4915",145"#).unwrap();
        assert_eq!(
            (c.state, c.outgoing, c.number.as_str()),
            (CallState::Dialing, true, "+4915")
        );
        assert_eq!(
            parse_progress(b"^CEND:1,5,29,16"),
            Some(CallProgress::Ended)
        );
        assert_eq!(
            parse_progress(b"+COLP: \"123\",129"),
            Some(CallProgress::Answered)
        );
    }
}
