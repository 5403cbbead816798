//! Modem dates: the text form of `+CCLK`, `+CMGR` and `+CMT` (3GPP TS 27.007
//! §8.15, 27.005 §3.3) and the shared rules for two-digit years and zones.
//!
//! Decisions where the standards are silent:
//! - Two-digit years below [`YEAR_PIVOT`] are 20xx, the others 19xx (GSM SMS
//!   started in 1992, so `99` is 1999 and `89` is 2089).
//! - The zone is in quarters of an hour. Zones beyond ±14:00 (56 quarters,
//!   the widest on Earth; `+80` has been seen) are rejected, not clamped: a
//!   wrong offset is worse than none.
//! - A missing zone means UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::tag,
    character::complete::{one_of, space0, u32 as dec},
    combinator::opt,
};

/// Two-digit years below this are 20xx, the rest 19xx.
pub const YEAR_PIVOT: u32 = 90;

/// The widest real time zone, in quarters of an hour (±14:00).
pub const MAX_ZONE_QUARTERS: i32 = 56;

/// A four-digit year from a two-digit one, per [`YEAR_PIVOT`].
pub fn full_year(yy: u32) -> u32 {
    match yy {
        0..YEAR_PIVOT => 2000 + yy,
        YEAR_PIVOT..100 => 1900 + yy,
        _ => yy,
    }
}

/// The offset of a zone given in quarters of an hour, if it is a real one.
pub fn zone(quarters: i32) -> Option<FixedOffset> {
    if quarters.abs() > MAX_ZONE_QUARTERS {
        return None;
    }
    FixedOffset::east_opt(quarters * 15 * 60)
}

/// A calendar date and time from its fields, with a two- or four-digit year.
pub fn naive(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<NaiveDateTime> {
    let year = i32::try_from(full_year(y)).ok()?;
    NaiveDate::from_ymd_opt(year, mo, d)?.and_hms_opt(h, mi, s)
}

type Stamp = ((u32, u32, u32), (u32, u32, u32), Option<i32>);

fn stamp(i: &[u8]) -> IResult<&[u8], Stamp> {
    let sep = || one_of("/-");
    let (i, (y, _, mo, _, d)) = (dec, sep(), dec, sep(), dec).parse(i)?;
    let (i, _) = (alt((tag(","), tag(" "))), space0).parse(i)?;
    let (i, (h, _, mi, _, s)) = (dec, tag(":"), dec, tag(":"), dec).parse(i)?;
    let (i, tz) = opt((one_of("+-"), dec)).parse(i)?;
    let tz = tz.and_then(|(sign, q)| {
        let q = i32::try_from(q).ok()?;
        Some(if sign == '-' { -q } else { q })
    });
    Ok((i, ((y, mo, d), (h, mi, s), tz)))
}

/// Parses `yy/MM/dd,hh:mm:ss±zz` (quoted or not, zone optional, four-digit
/// years and single-digit fields tolerated) into a local time with its offset.
pub fn parse_text(text: &[u8]) -> Option<DateTime<FixedOffset>> {
    let text = text.trim_ascii();
    let text = text.strip_prefix(b"\"").unwrap_or(text);
    let ((y, mo, d), (h, mi, s), tz) = stamp(text).ok()?.1;
    let offset = zone(tz.unwrap_or(0))?;
    naive(y, mo, d, h, mi, s)?
        .and_local_timezone(offset)
        .single()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(t: &str) -> Option<String> {
        parse_text(t.as_bytes()).map(|d| d.to_rfc3339())
    }

    /// MMH `+CCLK` vectors (ModemManager test-modem-helpers.c).
    #[test]
    fn cclk_forms() {
        assert_eq!(
            iso("\"14/08/05,04:00:21\"").unwrap(),
            "2014-08-05T04:00:21+00:00"
        );
        assert_eq!(
            iso("\"14/08/05,04:00:21+40\"").unwrap(),
            "2014-08-05T04:00:21+10:00"
        );
        assert_eq!(
            iso("\"15/02/28,20:30:40-32\"").unwrap(),
            "2015-02-28T20:30:40-08:00"
        );
        assert_eq!(
            iso("17/07/26,11:42:15+01").unwrap(),
            "2017-07-26T11:42:15+00:15"
        );
        assert_eq!(iso("\"XX/XX/XX,XX:XX:XX+XX\""), None);
        // Motorola: four-digit year, single digits, no zone (GM at-sms-txt).
        assert_eq!(
            iso("\"2009/8/18,19:11:45\"").unwrap(),
            "2009-08-18T19:11:45+00:00"
        );
        // GM m2m.dump: +80 quarters is no real zone.
        assert_eq!(iso("\"06/05/28,18:15:41+80\""), None);
    }

    #[test]
    fn year_pivot() {
        assert_eq!(full_year(0), 2000);
        assert_eq!(full_year(89), 2089);
        assert_eq!(full_year(99), 1999);
    }
}
