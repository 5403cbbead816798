//! isocket-modem next to its peers, each pair measured in the same run:
//!
//! - AT ingest: a SIM800 transcript stream through our [`Codec`] and through
//!   atat 0.25's `AtDigester` (`Digester::digest`).
//! - PDU decode: the SMS-DELIVER vectors of
//!   `isocket-modem/tests/data/pdu_vectors.md` through `pdu::decode_hex` and
//!   sms-pdu-decoder 0.1.1's `SmsDeliver::decode`.
//! - Field parse: `+CSQ: 21,0` to (rssi, ber) through `network::parse_csq`
//!   and at-commands 0.5's `CommandParser`.
//!
//! `cargo bench -p isocket-benches --bench modem` prints criterion's figures,
//! then one `ratio <name> <peer/ours> x (…)` line per pair: peer time / our
//! time (bigger is better), unrounded, for `cargo xtask bench` to judge.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use at_commands::parser::CommandParser;
use atat::digest::{ParseError, Parser, parser::urc_helper};
use atat::{AtDigester, DigestResult, Digester};
use criterion::{Criterion, Throughput};
use isocket_modem::{Codec, network, pdu};

/// One exchange of the stream: the answer prefix our codec is told to
/// expect (`Some(None)`: a command without an info answer; `None`: URCs),
/// and the bytes the modem sends.
type Exchange = (Option<Option<&'static [u8]>>, &'static [u8]);

/// A SIM800 session in the formats of `tests/data/modem_transcripts.md`
/// (§1 dialect summary, §2.2 PGT sequences, §2.5 SIM800 manual): polling,
/// a call, an SMS read and delete, a send, USSD, a SIM check, an error.
const STREAM: &[Exchange] = &[
    (Some(Some(b"+CSQ")), b"\r\n+CSQ: 18,99\r\n\r\nOK\r\n"),
    (
        Some(Some(b"+CREG")),
        b"\r\n+CREG: 2,1,\"CE00\",\"01CEAD8F\"\r\n\r\nOK\r\n",
    ),
    (
        None,
        b"\r\nRING\r\n\r\n+CLIP: \"+27821231234\",145,\"\",0,\"\",0\r\n",
    ),
    (None, b"\r\n+CMTI: \"SM\",3\r\n"),
    (
        Some(Some(b"+CMGR")),
        b"\r\n+CMGR: 0,,26\r\n07912143658709F1040B918100551512F20000111010214365000AE8329BFD4697D9EC37\r\n\r\nOK\r\n",
    ),
    (Some(None), b"\r\nOK\r\n"),
    (Some(Some(b"+CMGS")), b"\r\n+CMGS: 42\r\n\r\nOK\r\n"),
    (None, b"\r\n+CUSD: 0,\"Balance 5.00\",15\r\n"),
    (Some(Some(b"+CPIN")), b"\r\n+CPIN: READY\r\n\r\nOK\r\n"),
    (Some(None), b"\r\n+CME ERROR: 10\r\n"),
    (Some(None), b"\r\nNO CARRIER\r\n"),
];

/// Responses (final results with their info lines) and URCs in [`STREAM`].
const STREAM_ITEMS: usize = 12;

/// atat needs the URC tokens up front; these are the stream's URCs.
enum Urcs {}

impl Parser for Urcs {
    fn parse(buf: &[u8]) -> Result<(&[u8], usize), ParseError> {
        let (_, urc) = atat::nom::branch::alt((
            urc_helper("RING"),
            urc_helper("+CLIP"),
            urc_helper("+CMTI"),
            urc_helper("+CUSD"),
        ))(buf)?;
        Ok(urc)
    }
}

/// Frames our codec yields over the stream (info lines count on their own).
fn ingest_ours(codec: &mut Codec) -> usize {
    let mut frames = 0;
    for (expect, bytes) in STREAM {
        match expect {
            Some(prefix) => codec.expect(*prefix, false),
            None => codec.done(),
        }
        codec.feed(black_box(bytes), |frame| {
            black_box(&frame);
            frames += 1;
        });
    }
    frames
}

/// Results atat's digester yields over the same bytes, in one buffer as
/// atat's ingress holds them.
fn ingest_atat(digester: &mut AtDigester<Urcs>, stream: &[u8]) -> usize {
    let mut items = 0;
    let mut rest = black_box(stream);
    loop {
        let (result, used) = digester.digest(rest);
        if used == 0 {
            break;
        }
        if result != DigestResult::None {
            black_box(&result);
            items += 1;
        }
        rest = &rest[used..];
    }
    assert!(rest.is_empty(), "atat left {} bytes", rest.len());
    items
}

/// The SMS-DELIVER vectors (§1 of the data file) both decoders accept.
fn deliver_vectors() -> Vec<&'static str> {
    include_str!("../../isocket-modem/tests/data/pdu_vectors.md")
        .split("## 1. SMS-DELIVER")
        .nth(1)
        .and_then(|s| s.split("\n## 2.").next())
        .unwrap()
        .lines()
        .filter(|row| row.starts_with("| D"))
        .filter_map(|row| {
            row.split('`')
                .find(|cell| cell.len() > 20 && cell.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .filter(|hex| {
            pdu::decode_hex(hex.as_bytes()).is_ok()
                && sms_pdu_decoder::SmsDeliver::decode(hex).is_ok()
        })
        .collect()
}

fn decode_ours(vectors: &[&str]) -> usize {
    vectors
        .iter()
        .filter(|hex| pdu::decode_hex(black_box(hex.as_bytes())).is_ok())
        .count()
}

fn decode_peer(vectors: &[&str]) -> usize {
    vectors
        .iter()
        .filter(|hex| sms_pdu_decoder::SmsDeliver::decode(black_box(hex)).is_ok())
        .count()
}

const CSQ: &[u8] = b"+CSQ: 21,0";

fn field_ours() -> (u8, u8) {
    let q = network::parse_csq(black_box(CSQ)).unwrap();
    (q.rssi, q.ber)
}

fn field_peer() -> (i32, i32) {
    CommandParser::parse(black_box(CSQ))
        .expect_identifier(b"+CSQ: ")
        .expect_int_parameter()
        .expect_int_parameter()
        .finish()
        .unwrap()
}

/// Prints `ratio <name> <peer/ours> x`, both medians taken now, back to back;
/// the ratio unrounded, so the verdict is not taken on a rounded value.
fn ratio(
    name: &str,
    unit: &str,
    passes: u32,
    ours: impl FnMut() -> usize,
    peer: impl FnMut() -> usize,
) {
    let ours = isocket_benches::median_ns(ours, passes);
    let peer = isocket_benches::median_ns(peer, passes);
    println!(
        "ratio {name} {} x ({ours:.1} ns vs {peer:.1} ns per {unit})",
        peer / ours
    );
}

fn main() {
    let stream: Vec<u8> = STREAM.iter().flat_map(|(_, b)| b.iter().copied()).collect();
    let mut codec: Codec = Codec::new();
    let mut digester = AtDigester::<Urcs>::new();
    // Both sides must understand the whole stream, or the race is unfair.
    assert_eq!(ingest_atat(&mut digester, &stream), STREAM_ITEMS);
    assert!(ingest_ours(&mut codec) >= STREAM_ITEMS);
    let vectors = deliver_vectors();
    assert!(vectors.len() >= 10, "only {} vectors", vectors.len());
    assert_eq!(field_ours(), (21, 0));
    assert_eq!(field_peer(), (21, 0));

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("modem/at-ingest");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("isocket-codec", |b| b.iter(|| ingest_ours(&mut codec)));
    group.bench_function("atat-digester", |b| {
        b.iter(|| ingest_atat(&mut digester, &stream))
    });
    group.finish();
    let mut group = criterion.benchmark_group("modem/pdu-decode");
    group.throughput(Throughput::Elements(vectors.len() as u64));
    group.bench_function("isocket-pdu", |b| b.iter(|| decode_ours(&vectors)));
    group.bench_function("sms-pdu-decoder", |b| b.iter(|| decode_peer(&vectors)));
    group.finish();
    let mut group = criterion.benchmark_group("modem/field-parse");
    group.bench_function("isocket-parse-csq", |b| b.iter(field_ours));
    group.bench_function("at-commands", |b| b.iter(field_peer));
    group.finish();
    criterion.final_summary();

    ratio(
        "at-ingest-vs-atat",
        &format!("stream of {} bytes", stream.len()),
        200,
        || ingest_ours(&mut codec),
        || ingest_atat(&mut digester, &stream),
    );
    ratio(
        "pdu-decode-vs-sms-pdu-decoder",
        &format!("pass over {} PDUs", vectors.len()),
        50,
        || decode_ours(&vectors),
        || decode_peer(&vectors),
    );
    ratio(
        "field-parse-vs-at-commands",
        "+CSQ line",
        10_000,
        || usize::from(field_ours().0),
        || field_peer().0 as usize,
    );
}
