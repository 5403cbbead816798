//! Stored messages as a modem prints them in text mode (`AT+CMGF=1`,
//! `AT+CSCS="GSM"`): the `+CMGR` and `+CMGL` entries of 27.005 §3.4.2 and
//! §4.1, per the SIM800 Series AT Command Manual V1.09 §4.2.3 (AT+CMGL)
//! and §4.2.4 (AT+CMGR), and the SIM7500/SIM7600 Series AT Command Manual
//! V1.07, AT+CMGL and AT+CMGR:
//!
//! - without `AT+CSDH=1`: `+CMGR: <stat>,<oa>,[<alpha>],<scts>` and
//!   `+CMGL: <index>,<stat>,<oa>,[<alpha>],[<scts>]`;
//! - with it, `+CMGR` adds `<tooa>,<fo>,<pid>,<dcs>,<sca>,<tosca>,<length>`;
//!   the SIM800's `+CMGL` adds only `<tooa>,<length>`, the SIM7600's the
//!   same fields as its `+CMGR`;
//! - `<CR><LF><data>` follows the header: the sender's text converted to
//!   the TE character set, here the GSM alphabet, one byte a septet (an
//!   extension character is ESC and its septet), the sender's line breaks
//!   and all; hex, two digits an octet, when the DCS is 8-bit or UCS2 or a
//!   user-data header is present (27.005 §3.1 `<data>`). `<length>` counts
//!   the septets, or the octets of a hex body (TP-UDL as the modem got it).
//!
//! A record stored with [`ScriptedModem::store_text`](super::ScriptedModem::store_text)
//! is printed as stored: the shapes of other modems' transcripts.

use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use crate::pdu;
use crate::septet;

/// How the modem prints a text-mode entry.
#[derive(Debug, Clone, Copy)]
pub(super) struct Style {
    /// `AT+CSDH=1` is on.
    pub(super) details: bool,
    /// With it, `+CMGL` carries `+CMGR`'s details (SIM7600), not only
    /// `<tooa>,<length>` (SIM800).
    pub(super) full_list: bool,
}

/// The `+CMGL` entry (`Some(index)`) or `+CMGR` answer of a stored entry:
/// `\r\n+CMGx: …\r\n<data>\r\n`.
pub(super) fn entry(stored: &str, list: Option<u16>, style: Style) -> String {
    let prefix = match list {
        Some(i) => format!("+CMGL: {i},"),
        None => "+CMGR: ".to_string(),
    };
    let (fields, body) = match stored.split_once('\n') {
        Some((fields, body)) => (fields.to_string(), body.to_string()),
        None => deliver_fields(stored, list.is_some(), style),
    };
    format!("\r\n{prefix}{fields}\r\n{body}\r\n")
}

/// The header fields from `<stat>` on and the `<data>` of a stored PDU.
fn deliver_fields(pdu_hex: &str, list: bool, style: Style) -> (String, String) {
    let Ok(pdu::Pdu::Deliver(d)) = pdu::decode_hex(pdu_hex.as_bytes()) else {
        return ("\"REC UNREAD\",\"\",,".to_string(), pdu_hex.to_string());
    };
    let (body, length) = data(pdu_hex, &d);
    let scts = d.timestamp.map(|t| {
        use chrono::{Datelike, Timelike};
        let quarters = t.offset().local_minus_utc() / (15 * 60);
        format!(
            "{:02}/{:02}/{:02},{:02}:{:02}:{:02}{quarters:+03}",
            t.year() % 100,
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    });
    let mut fields = format!(
        "\"REC UNREAD\",\"{}\",\"\",\"{}\"",
        d.sender.number,
        scts.unwrap_or_default()
    );
    let fo = first_octet(pdu_hex).unwrap_or(4);
    match (style.details, list && !style.full_list) {
        (false, _) => {}
        (true, true) => fields += &format!(",{},{length}", d.sender.toa),
        (true, false) => {
            fields += &format!(
                ",{},{fo},{},{},\"+491710760000\",145,{length}",
                d.sender.toa, d.pid, d.dcs
            );
        }
    }
    (fields, body)
}

/// TP-FO of a DELIVER PDU in hex.
fn first_octet(pdu_hex: &str) -> Option<u8> {
    let octets = octets(pdu_hex)?;
    let smsc = usize::from(*octets.first()?);
    octets.get(smsc + 1).copied()
}

fn octets(hex: &str) -> Option<Vec<u8>> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// The TP-UD octets of a DELIVER PDU in hex.
fn user_data(pdu_hex: &str) -> Option<Vec<u8>> {
    let octets = octets(pdu_hex)?;
    let smsc = usize::from(*octets.first()?);
    let oa = smsc + 2;
    let oa_octets = usize::from(*octets.get(oa)?).div_ceil(2);
    // Length, TOA, address, PID, DCS, SCTS (7), UDL.
    let ud = oa + 1 + 1 + oa_octets + 2 + 7 + 1;
    octets.get(ud..).map(<[u8]>::to_vec)
}

/// `<data>` and `<length>`: the GSM text one byte a septet, or the user
/// data in hex for 8-bit, UCS2 and user-data headers.
fn data(pdu_hex: &str, d: &pdu::Deliver) -> (String, usize) {
    let udhi = first_octet(pdu_hex).is_some_and(|fo| fo & 0x40 != 0);
    if d.user_data.alphabet == pdu::Alphabet::Gsm7 && !udhi {
        let septets: Vec<u8> = septet::septets(&d.user_data.text).flatten().collect();
        let text = septets.iter().map(|&s| char::from(s)).collect();
        return (text, septets.len());
    }
    let ud = user_data(pdu_hex).unwrap_or_default();
    let hex = ud.iter().map(|b| format!("{b:02X}")).collect();
    (hex, ud.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::deliver_pdus;

    const SIM800: Style = Style {
        details: true,
        full_list: false,
    };
    const SIM7600: Style = Style {
        details: true,
        full_list: true,
    };
    const BARE: Style = Style {
        details: false,
        full_list: false,
    };

    /// The entries as the manuals show them (see the module docs).
    #[test]
    fn entries_as_the_manuals_print_them() {
        let pdu = deliver_pdus("+4915112345678", "OK\r\nRDY", 0).remove(0);
        let head = r#""REC UNREAD","+4915112345678","","11/01/01,12:34:56+00""#;
        let details = r#"145,4,0,0,"+491710760000",145,7"#;
        assert_eq!(
            entry(&pdu, Some(3), SIM800),
            format!("\r\n+CMGL: 3,{head},145,7\r\nOK\r\nRDY\r\n")
        );
        assert_eq!(
            entry(&pdu, Some(3), SIM7600),
            format!("\r\n+CMGL: 3,{head},{details}\r\nOK\r\nRDY\r\n")
        );
        assert_eq!(
            entry(&pdu, None, SIM800),
            format!("\r\n+CMGR: {head},{details}\r\nOK\r\nRDY\r\n")
        );
        assert_eq!(
            entry(&pdu, Some(3), BARE),
            format!("\r\n+CMGL: 3,{head}\r\nOK\r\nRDY\r\n")
        );
        assert_eq!(
            entry(&pdu, None, BARE),
            format!("\r\n+CMGR: {head}\r\nOK\r\nRDY\r\n")
        );
    }

    /// GSM bodies one byte a septet (`@` is 0, `€` ESC and 0x65);
    /// UCS2 in hex, `<length>` in octets.
    #[test]
    fn bodies_in_the_gsm_alphabet_or_hex() {
        let pdu = deliver_pdus("+49", "@€", 0).remove(0);
        assert!(entry(&pdu, None, SIM800).ends_with(",3\r\n\u{0}\u{1b}\u{65}\r\n"));
        let pdu = deliver_pdus("+49", "Да", 0).remove(0);
        assert!(entry(&pdu, None, SIM800).ends_with(",8,\"+491710760000\",145,4\r\n04140430\r\n"));
    }
}
