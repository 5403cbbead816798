//! SMS text mode (3GPP TS 27.005 §3.1, §4): the fallback for modems whose
//! PDU mode is missing or broken. The driver sets `AT+CMGF=1`,
//! `AT+CSCS="GSM"` and `AT+CSDH=1`; this module reads the `+CMGR`, `+CMGL`
//! and `+CMT` headers and bodies into the same [`Deliver`] the PDU path
//! yields, and turns outgoing text into the bytes typed after the `> ` prompt.
//!
//! Decisions where the standards are silent:
//! - Header fields are found by shape, not position: the alpha field may be
//!   missing (Motorola, the SIM808 manual) or empty, quoted or not, and
//!   there may be spaces after commas. The time stamp is the first field
//!   after the sender that reads as one; with `AT+CSDH=1` the DCS is the
//!   fourth field after it.
//! - Bodies are in the GSM default alphabet (`AT+CSCS="GSM"`); with a UCS2
//!   DCS and a hex body they are UCS2 hex; 8-bit bodies keep their data and
//!   have no text, as in PDU mode.
//! - Only received messages (`REC UNREAD`, `REC READ`) are messages; stored
//!   SUBMITs and status reports are not.
//! - A part of a concatenated message has a user-data header, and text
//!   mode prints such user data as hex, header and all (27.005 §3.1
//!   `<data>`): it is handed out as that hex, a message of its own, not
//!   reassembled (it begins with the header in hex, as no command does).
//! - The sender's type of address is `<tooa>` (`AT+CSDH=1`). Without it an
//!   alphanumeric sender cannot be told from a number: only `+` and 11 or
//!   more digits (no alphanumeric sender has more than 11 characters) is
//!   taken for international; anything else is
//!   [`crate::pdu::TOA_NOT_TOLD`], which matches no number.
//! - Outgoing text is split into parts of [`TEXT_PART`] septets sent as
//!   separate messages. Characters that the GSM default alphabet lacks, and
//!   those that would put NUL, Ctrl-Z or ESC on the line (`@`, `Ξ`, the
//!   extension table `€[]{}~^|\`), go out as `?`; CR goes out as LF.

use heapless::{String, Vec};
use isocket_proto::gsm7::{self, Septet};

use crate::fields::{self, Field};
use crate::pdu::{Address, Alphabet, Deliver, MAX_UD, TOA_INTERNATIONAL, TOA_NOT_TOLD, UserData};
use crate::septet;
use crate::time;

/// Septets in one outgoing text-mode part.
pub const TEXT_PART: usize = 160;

/// Parses the parameters of a text-mode `+CMGR` (`skip` = 1: `<stat>`),
/// `+CMGL` (`skip` = 2: `<index>,<stat>`) or `+CMT` (`skip` = 0) header and
/// the body lines joined by LF. `None` for anything but a received message.
pub fn deliver(params: &[u8], skip: usize, body: &[u8]) -> Option<Deliver> {
    let mut f = fields::Fields::new(params);
    if skip > 0 {
        let stat = f.nth(skip - 1)?;
        if !(stat.quoted && stat.bytes.starts_with(b"REC")) {
            return None;
        }
    }
    let sender = f.next()?;
    if sender.is_empty() {
        return None;
    }
    let rest: Vec<Field<'_>, 12> = f.take(12).collect();
    let stamp = rest.iter().take(2).position(is_time_stamp);
    let timestamp = stamp
        .and_then(|i| rest.get(i))
        .and_then(|f| time::parse_text(f.bytes));
    let dcs = stamp
        .and_then(|i| rest.get(i + 4))
        .and_then(|f| f.number::<u8>())
        .unwrap_or(0);
    // `<tooa>` follows the time stamp (`AT+CSDH=1`); every type of address
    // has bit 8 set (23.040 §9.1.2.5).
    let tooa = stamp
        .and_then(|i| rest.get(i + 1))
        .filter(|f| !f.quoted)
        .and_then(|f| f.number::<u8>())
        .filter(|t| t & 0x80 != 0);
    let number = core::str::from_utf8(sender.bytes).ok()?;
    Some(Deliver {
        smsc: None,
        sender: Address::with_toa(number, tooa.unwrap_or_else(|| untold_toa(number))),
        pid: 0,
        dcs,
        timestamp,
        user_data: user_data(dcs, body),
    })
}

/// The type of address of a sender the modem printed without `<tooa>`.
/// An alphanumeric sender prints as its text, which may be all digits or
/// `+` and digits, and has at most 11 characters (10 octets of
/// Address-Value, 23.040 §9.1.2.5): only `+` and 11 or more digits is
/// surely an international number. Anything else is
/// [`TOA_NOT_TOLD`], which matches no number (fail closed).
fn untold_toa(number: &str) -> u8 {
    let digits = number.strip_prefix('+').unwrap_or_default();
    match digits.len() >= 11 && digits.bytes().all(|b| b.is_ascii_digit()) {
        true => TOA_INTERNATIONAL,
        false => TOA_NOT_TOLD,
    }
}

/// `yy/MM/dd,hh:mm:ss±zz` in some form (its zone may still be unreal).
fn is_time_stamp(f: &Field<'_>) -> bool {
    f.bytes.contains(&b'/') && f.bytes.contains(&b':')
}

fn user_data(dcs: u8, body: &[u8]) -> UserData {
    let mut ud = UserData {
        alphabet: Alphabet::of_dcs(dcs),
        text: String::new(),
        data: Vec::new(),
        concat: None,
        ports: None,
    };
    let mut bytes: Vec<u8, MAX_UD> = Vec::new();
    let hex = septet::is_hex(body) && septet::from_hex(body, &mut bytes).is_some();
    match (ud.alphabet, hex) {
        (Alphabet::Ucs2, true) => {
            septet::decode_ucs2(&bytes, &mut ud.text);
            ud.data = bytes;
        }
        (Alphabet::Eight, true) => ud.data = bytes,
        _ => {
            // Bytes outside the default alphabet read as spaces.
            septet::decode_gsm7(body.iter().copied(), &mut ud.text);
            let n = body.len().min(MAX_UD);
            ud.data
                .extend_from_slice(body.get(..n).unwrap_or_default())
                .ok();
        }
    }
    ud
}

/// The byte typed for `c` in the GSM character set, `?` if unsafe or missing.
fn gsm_byte(c: char) -> u8 {
    const NUL: u8 = 0x00;
    const CTRL_Z: u8 = 0x1A;
    match gsm7::encode(if c == '\r' { '\n' } else { c }) {
        Some(Septet::Basic(b)) if b != NUL && b != CTRL_Z && b != gsm7::ESCAPE => b,
        _ => b'?',
    }
}

/// How many text-mode parts `text` needs.
pub fn part_count(text: &str) -> usize {
    text.chars().count().div_ceil(TEXT_PART).max(1)
}

/// Appends part `index` of `text` in the GSM character set to `out`;
/// `None` if there is no such part or `out` is too small.
pub fn encode_part<const N: usize>(text: &str, index: usize, out: &mut Vec<u8, N>) -> Option<()> {
    if index >= part_count(text) {
        return None;
    }
    for c in text.chars().skip(index * TEXT_PART).take(TEXT_PART) {
        out.push(gsm_byte(c)).ok()?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(header: &str, skip: usize, body: &str) -> Deliver {
        let params = header.split_once(':').unwrap().1;
        deliver(params.as_bytes(), skip, body.as_bytes()).unwrap()
    }

    fn iso(d: &Deliver) -> std::string::String {
        d.timestamp.unwrap().to_rfc3339()
    }

    /// `+CMGR` shapes of modem_transcripts.md (PGT, GM at-sms-txt, SIM800 snippets).
    #[test]
    fn cmgr_shapes() {
        let d = read(
            r#"+CMGR: "REC UNREAD","+0123456789",,"13/03/08,15:02:16+08""#,
            1,
            "Hello world!",
        );
        assert_eq!(d.sender.number, "+0123456789");
        assert_eq!(d.user_data.text, "Hello world!");
        assert_eq!(iso(&d), "2013-03-08T15:02:16+02:00");
        let d = read(
            r#"+CMGR: "REC UNREAD","+375290000000","","16/03/06,13:45:30+12""#,
            1,
            "x",
        );
        assert_eq!(iso(&d), "2016-03-06T13:45:30+03:00");
        let d = read(
            r#"+CMGR: "REC UNREAD","+19705551234","","24/04/01,20:25:57-20""#,
            1,
            "x",
        );
        assert_eq!(iso(&d), "2024-04-01T20:25:57-05:00");
        // Motorola: spaces, four-digit year, no zone, no alpha.
        let d = read(
            r#"+CMGR: "REC READ", "+4123456789132", "2009/8/18,19:11:45""#,
            1,
            "Hoewfliepl",
        );
        assert_eq!(d.sender.number, "+4123456789132");
        assert_eq!(iso(&d), "2009-08-18T19:11:45+00:00");
        // A phonebook name as alpha.
        let d = read(
            r#"+CMGR: "REC UNREAD","+27766520007","Dave Plater","22/07/19,12:47:35+08""#,
            1,
            "x",
        );
        assert_eq!(iso(&d), "2022-07-19T12:47:35+02:00");
    }

    /// GM at-sms-txt-detail (`AT+CSDH=1`): the DCS, and an unreal zone.
    #[test]
    fn csdh_fields() {
        let d = read(
            r#"+CMGR:"REC READ","+393488535999",,"07/04/05,18:02:28+08",145,4,0,0,"+393492000466",145,93"#,
            1,
            "hello.",
        );
        assert_eq!((d.dcs, d.user_data.text.as_str()), (0, "hello."));
        let d = read(
            r#"+CMGR: "REC READ","3473065111",,"06/05/28,18:15:41+80",129,17,0,18,"+393492001157",145,6"#,
            1,
            "hello.",
        );
        assert_eq!(d.timestamp, None, "+80 quarters is no zone");
        assert_eq!(d.user_data.text, "hello.");
        let d = read(
            r#"+CMGR: "REC UNREAD","+4917",,"24/01/01,00:00:00+04",145,4,0,8,"+49",145,4"#,
            1,
            "04140430",
        );
        assert_eq!(d.user_data.text, "Да");
    }

    /// The sender's type of address: `<tooa>` with `AT+CSDH=1`; without
    /// it, only `+` and 11 or more digits, which no alphanumeric sender
    /// (at most 11 characters) can be, counts as a number.
    #[test]
    fn sender_type_of_address() {
        let toa = |h: &str| read(h, 1, "x").sender.toa;
        let stamp = r#""07/04/05,18:02:28+08""#;
        assert_eq!(
            toa(&format!(
                r#"+CMGR: "REC READ","+39348",,{stamp},145,4,0,0,"+39",145,1"#
            )),
            145
        );
        assert_eq!(
            toa(&format!(
                r#"+CMGR: "REC READ","3473065111",,{stamp},129,4,0,0,"+39",145,1"#
            )),
            129
        );
        let alpha = format!(r#"+CMGR: "REC READ","33612345678",,{stamp},208,4,0,0,"+39",145,1"#);
        assert_eq!(
            (toa(&alpha), read(&alpha, 1, "x").sender.number.as_str()),
            (208, "33612345678")
        );
        assert_eq!(
            toa(&format!(r#"+CMGR: "REC READ","33612345678",,{stamp}"#)),
            TOA_NOT_TOLD
        );
        assert_eq!(
            toa(&format!(r#"+CMGR: "REC READ","+3361234567",,{stamp}"#)),
            TOA_NOT_TOLD
        );
        assert_eq!(
            toa(&format!(r#"+CMGR: "REC READ","+33612345678",,{stamp}"#)),
            0x91
        );
        assert_eq!(
            toa(&format!(r#"+CMGR: "REC READ","Bank",,{stamp}"#)),
            TOA_NOT_TOLD
        );
        // A field that is no type of address (bit 8 clear) is none.
        assert_eq!(
            toa(&format!(r#"+CMGR: "REC READ","33612345678",,{stamp},17"#)),
            TOA_NOT_TOLD
        );
    }

    #[test]
    fn not_received_messages_are_refused() {
        let refuse = |h: &str| deliver(h.split_once(':').unwrap().1.as_bytes(), 1, b"x");
        assert!(
            refuse(
                r#"+CMGR: ,6,20,"0870000000",129,"13/04/29,19:58:00+04","13/04/29,19:59:00+04",0"#
            )
            .is_none()
        );
        assert!(
            refuse(r#"+CMGR: "STO UNSENT","+10011",,145,17,0,0,167,"+8613800100500",145,4"#)
                .is_none()
        );
        assert!(refuse("+CMGR: 1,,25").is_none(), "a PDU-mode header");
    }

    #[test]
    fn cmgl_and_cmt() {
        let d = read(
            r#"+CMGL: 0,"REC UNREAD","+27748577604",,"13/01/28,14:51:42+08""#,
            2,
            "Hello raspberry pi",
        );
        assert_eq!(d.sender.number, "+27748577604");
        let d = read(
            r#"+CMT: "+5493487123456","","22/06/28,22:02:24-12""#,
            0,
            "Boooenas",
        );
        assert_eq!(iso(&d), "2022-06-28T22:02:24-03:00");
        // SIM808: no alpha field.
        let d = read(r#"+CMT: "+8613812345678","26/08/26,12:15:23+32""#, 0, "x");
        assert_eq!(iso(&d), "2026-08-26T12:15:23+08:00");
    }

    #[test]
    fn outgoing_parts() {
        let mut out: Vec<u8, 200> = Vec::new();
        encode_part("Socket ON @ 5€\r", 0, &mut out).unwrap();
        assert_eq!(out.as_slice(), b"Socket ON ? 5?\n");
        let long = "z".repeat(170);
        assert_eq!(part_count(&long), 2);
        out.clear();
        encode_part(&long, 1, &mut out).unwrap();
        assert_eq!(out.len(), 10);
        assert!(encode_part(&long, 2, &mut out).is_none());
        assert_eq!(part_count(""), 1);
    }
}
