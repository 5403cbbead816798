//! The AT line and URC codec (3GPP TS 27.007 §4–5, 27.005 §3–4): bytes in,
//! [`Frame`]s out, sans IO.
//!
//! - Input arrives in chunks split anywhere; lines end at CR or LF, empty
//!   lines are skipped, so `\r\n`, `\r\r\n` and bare `\n` all work.
//! - A solicited answer and a URC with the same prefix are told apart by what
//!   the driver is waiting for ([`Codec::expect`]) and, for `+CxREG`, by the
//!   field count and the configured `n` ([`Codec::set_reg_mode`]).
//! - A `+CUSD` line whose quotes are still open continues over line breaks.
//! - `+CMT` and PDU-mode `+CDS` take the next line as their body.
//! - In a text-mode `+CMGL`/`+CMGR` answer ([`Codec::expect_text`]) no line
//!   is a URC: the senders' text is [`Frame::Data`]. A body is cut by the
//!   header's `<length>` (`AT+CSDH=1`; 27.005 §3.1: characters of `<data>`
//!   in text mode, and `<data>` is two hex digits an octet when the DCS is
//!   8-bit or UCS2 or a user-data header is present), so a body line `OK`
//!   does not end the answer. A body without `<length>` runs to the next
//!   header or final result ([`Codec::unframed`] says so), and a header of
//!   a received message runs until its time stamp: an alphanumeric sender
//!   may hold a line break.
//! - Every line is independent, so a garbage line is one [`Frame::Info`] and
//!   the next line parses normally. A line longer than the buffer is dropped
//!   whole and reported as [`Frame::Overflow`].
//! - Speed: a line that lies whole inside the input chunk is found with
//!   `memchr` and framed straight from the caller's bytes; only lines cut by
//!   a chunk boundary, multi-line units and the prompt go byte by byte
//!   through the buffer. Both paths give the same frames (checked by the
//!   chunking tests). `+CUSD` text is decoded only on demand
//!   ([`crate::ussd::UssdLine::decode`]), so frames stay small to move.

use heapless::Vec;

use crate::calls;
use crate::fields;
use crate::network::{self, Domain};
use crate::urc::{self, Urc};

/// Default line capacity: a 176-octet PDU in hex plus its header.
pub const DEFAULT_LINE: usize = 512;

/// A final result code: it ends the command in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Final {
    /// `OK`.
    Ok,
    /// `ERROR`.
    Error,
    /// `+CME ERROR: <n>` (27.007 §9.2); `None` for the verbose form.
    CmeError(Option<u16>),
    /// `+CMS ERROR: <n>` (27.005 §3.2.5); `None` for the verbose form.
    CmsError(Option<u16>),
    /// `NO CARRIER`.
    NoCarrier,
    /// `BUSY`.
    Busy,
    /// `NO ANSWER`.
    NoAnswer,
    /// `NO DIALTONE`.
    NoDialtone,
    /// `COMMAND NOT SUPPORT` (Huawei's non-standard final).
    NotSupported,
}

impl Final {
    /// Whether the command succeeded.
    pub fn is_ok(self) -> bool {
        self == Final::Ok
    }

    fn parse(line: &[u8]) -> Option<Final> {
        let code = |prefix: &[u8]| fields::fields(line, prefix)?.next()?.number();
        Some(match line {
            b"OK" => Final::Ok,
            b"ERROR" => Final::Error,
            b"NO CARRIER" => Final::NoCarrier,
            b"BUSY" => Final::Busy,
            b"NO ANSWER" => Final::NoAnswer,
            b"NO DIALTONE" => Final::NoDialtone,
            b"COMMAND NOT SUPPORT" => Final::NotSupported,
            _ if line.starts_with(b"+CME ERROR") => Final::CmeError(code(b"+CME ERROR")),
            _ if line.starts_with(b"+CMS ERROR") => Final::CmsError(code(b"+CMS ERROR")),
            _ => return None,
        })
    }
}

/// One decoded unit of modem output.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Frame<'a> {
    /// A final result code.
    Final(Final),
    /// The `> ` prompt of `AT+CMGS`.
    Prompt,
    /// An information line: a solicited answer, or a line nobody asked for.
    Info(&'a [u8]),
    /// A message body (or a line of one) inside a text-mode `+CMGL` or
    /// `+CMGR` answer: the sender's text, never a result code. A body cut
    /// by its `<length>` comes whole, its own line breaks included.
    Data(&'a [u8]),
    /// An unsolicited result code.
    Urc(Urc<'a>),
    /// A line longer than the buffer was dropped.
    Overflow,
}

/// What kind of multi-line unit is being collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Line,
    /// Dropping an over-long line until its end.
    Discard,
    /// The header of `+CMT`/`+CDS` ends at this index; the body follows.
    Body(usize),
    /// The buffer holds a text-mode header whose body is `<length>` long.
    Header(Framing),
    /// Collecting a body of known length.
    Framed(Framing),
    /// The buffer holds a whole framed body.
    BodyDone,
}

/// A text-mode body cut by its header's `<length>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Framing {
    /// Bytes the body takes.
    need: u16,
    /// The header ended at CR: an LF right after it is the line break.
    skip_lf: bool,
    /// More came than `need`: the body runs to the line's end (a hex body,
    /// or a modem that counted otherwise).
    revised: bool,
}

/// What a line inside a text-mode answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A `+CMGL`/`+CMGR` header.
    Header,
    /// A line of a body without `<length>`, or after the answer ended.
    Data,
    /// Anything else: a final result, or a line where a header or the
    /// final result should be.
    Other,
}

/// A text-mode `+CMGL` or `+CMGR` answer in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TextAnswer {
    /// `+CMGL` (any number of headers) or `+CMGR` (one).
    list: bool,
    /// The `+CMGR` header came.
    read_header: bool,
    /// The lines until the next header are a body without `<length>`.
    unframed_body: bool,
    /// A body of this answer had no `<length>` (or did not fit it).
    unframed: bool,
    /// Every line is data, final results too: the answer is over, and
    /// what follows may be the rest of a body cut short.
    all_data: bool,
    /// What the line in the buffer is.
    kind: Kind,
}

/// What [`Codec::fast_line`] found.
enum Fast<'a> {
    /// A whole line, and the bytes used up to its end.
    Frame(usize, &'a [u8]),
    /// Go byte by byte from this offset.
    Slow(usize),
}

/// The sans-IO AT codec. `N` bounds the longest line.
#[derive(Debug)]
pub struct Codec<const N: usize = DEFAULT_LINE> {
    buf: Vec<u8, N>,
    state: State,
    /// The buffer holds a line already handed out; clear it on the next call.
    stale: bool,
    expected: Option<&'static [u8]>,
    echo_possible: bool,
    prompt_possible: bool,
    reg_n: [u8; 3],
    /// A text-mode `+CMGL`/`+CMGR` answer is in flight.
    text: Option<TextAnswer>,
}

impl<const N: usize> Default for Codec<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Codec<N> {
    /// A codec waiting for no answer, with `+CxREG` URC mode `n = 2`.
    pub const fn new() -> Self {
        Codec {
            buf: Vec::new(),
            state: State::Line,
            stale: false,
            expected: None,
            echo_possible: false,
            prompt_possible: false,
            reg_n: [2; 3],
            text: None,
        }
    }

    /// Announces the command just sent: `prefix` is its answer's prefix
    /// (`b"+CSQ"`) or `None`; `prompt` says whether a `>` prompt may come.
    /// An echo of the command line is dropped until the first answer line.
    pub fn expect(&mut self, prefix: Option<&'static [u8]>, prompt: bool) {
        self.expected = prefix;
        self.prompt_possible = prompt;
        self.echo_possible = true;
    }

    /// The command is over: every prefixed line is a URC again.
    pub fn done(&mut self) {
        self.text = None;
        self.expected = None;
        self.prompt_possible = false;
        self.echo_possible = false;
        if matches!(self.state, State::Header(_) | State::Framed(_)) {
            self.state = State::Line;
            self.buf.clear();
        }
    }

    /// The command just sent is a text-mode `AT+CMGL` (`list`) or
    /// `AT+CMGR`: until [`Codec::done`], no line is a URC. Headers are
    /// [`Frame::Info`], bodies [`Frame::Data`], final results end it.
    pub fn expect_text(&mut self, list: bool) {
        self.text = Some(TextAnswer {
            list,
            read_header: false,
            unframed_body: false,
            unframed: false,
            all_data: false,
            kind: Kind::Other,
        });
    }

    /// Whether the text-mode answer in flight had a body without
    /// `<length>`: a final result in it may have been a line of that body.
    pub fn unframed(&self) -> bool {
        self.text.is_some_and(|t| t.unframed)
    }

    /// After an unframed text-mode answer's final result: until
    /// [`Codec::done`], every line is [`Frame::Data`], final results too.
    pub fn all_data(&mut self) {
        if let Some(t) = &mut self.text {
            t.all_data = true;
            t.unframed_body = true;
        }
    }

    /// Records the `n` configured with `AT+CREG=n` (and `+CGREG`, `+CEREG`).
    pub fn set_reg_mode(&mut self, domain: Domain, n: u8) {
        if let Some(slot) = self.reg_n.get_mut(domain.index()) {
            *slot = n;
        }
    }

    /// Consumes bytes from `input` up to the end of the first complete frame.
    /// Returns how many bytes were used and the frame, if one completed.
    /// Call again with the rest of the input until it is empty.
    pub fn decode<'a>(&'a mut self, input: &'a [u8]) -> (usize, Option<Frame<'a>>) {
        if core::mem::take(&mut self.stale) {
            self.buf.clear();
            match self.state {
                State::Body(_) | State::BodyDone => self.state = State::Line,
                State::Header(f) => self.state = State::Framed(f),
                _ => {}
            }
        }
        let start = match self.fast_line(input) {
            Fast::Frame(used, line) => {
                let frame = frame_line(line, self.expected, &mut self.echo_possible, self.reg_n);
                return (used, frame);
            }
            Fast::Slow(start) => start,
        };
        let rest = input.get(start..).unwrap_or_default();
        for (i, &byte) in rest.iter().enumerate() {
            if self.step(byte) {
                self.stale = true;
                return (start + i + 1, self.frame());
            }
        }
        (input.len(), None)
    }

    /// The common case without copying: nothing buffered, and a whole
    /// single line in `input`. Blank lines before it are consumed. Lines
    /// that may continue (`+CUSD`, `+CMT`, `+CDS`), a possible prompt, or a
    /// line cut by the chunk's end go byte by byte from the returned offset.
    fn fast_line<'a>(&self, input: &'a [u8]) -> Fast<'a> {
        let busy =
            !matches!(self.state, State::Line) || !self.buf.is_empty() || self.prompt_possible;
        if busy || self.text.is_some() {
            return Fast::Slow(0);
        }
        let mut start = 0;
        loop {
            // Line breaks between lines are short runs: skip them cheaply.
            let breaks = input.get(start..).unwrap_or_default();
            start += breaks
                .iter()
                .position(|&b| b != b'\r' && b != b'\n')
                .unwrap_or(breaks.len());
            let rest = input.get(start..).unwrap_or_default();
            let Some(end) = memchr::memchr2(b'\r', b'\n', rest) else {
                return Fast::Slow(start);
            };
            let (Some(raw), Some(line)) =
                (rest.get(..end), rest.get(..end).map(<[u8]>::trim_ascii))
            else {
                return Fast::Slow(start);
            };
            if line.is_empty() {
                start += end + 1;
                continue;
            }
            let continues = line.first() == Some(&b'+') && (open_quotes(line) || two_line(line));
            if continues || raw.len() > N {
                return Fast::Slow(start);
            }
            return Fast::Frame(start + end + 1, line);
        }
    }

    /// Feeds every byte of `input`, calling `on_frame` for each frame.
    pub fn feed(&mut self, mut input: &[u8], mut on_frame: impl FnMut(Frame<'_>)) {
        while !input.is_empty() {
            let (used, frame) = self.decode(input);
            if let Some(frame) = frame {
                on_frame(frame);
            }
            input = input.get(used..).unwrap_or_default();
        }
    }

    /// Takes one byte; `true` when a frame is complete in the buffer (or a
    /// prompt or overflow is pending).
    fn step(&mut self, byte: u8) -> bool {
        let end = byte == b'\r' || byte == b'\n';
        if let State::Framed(f) = self.state {
            return self.framed(byte, f);
        }
        match self.state {
            State::Discard => {
                if end {
                    self.state = State::Line;
                }
                return false;
            }
            State::Body(start) if end && self.buf.len() == start => return false,
            State::Line if end && self.buf.trim_ascii().is_empty() => {
                self.buf.clear();
                return false;
            }
            State::Line if end && self.continues() => {}
            State::Line if end => return self.line_complete(byte),
            State::Body(_) if end => return true,
            _ => {}
        }
        if byte == b'>' && self.prompt_possible && self.buf.trim_ascii().is_empty() {
            self.buf.clear();
            self.buf.extend_from_slice(b">").ok();
            self.prompt_possible = false;
            return true;
        }
        if self.buf.push(byte).is_err() {
            self.state = State::Discard;
            return true;
        }
        false
    }

    /// A `+CUSD` line with an unclosed quote continues past the line
    /// break; so does a text-mode header of a received message until its
    /// time stamp, which comes after the sender: an alphanumeric sender
    /// (at most 11 characters, 23.040 §9.1.2.5) may hold CR or LF.
    fn continues(&self) -> bool {
        let Some(t) = self.text else {
            return open_quotes(self.buf.trim_ascii());
        };
        // Up to the sender's end: `+CMGL: 65535,"REC UNREAD","` and 11
        // characters, with room for spaces. A longer header without a
        // time stamp had it garbled by noise.
        const SENDER_END: usize = 48;
        let line = self.buf.trim_ascii();
        !t.all_data
            && line.len() <= SENDER_END
            && t.is_header(line)
            && entry(line).received
            && !has_time_stamp(line)
    }

    /// A line ended: frame it, or wait for the body of a two-line URC.
    fn line_complete(&mut self, end: u8) -> bool {
        if let Some(t) = &mut self.text {
            let line = self.buf.trim_ascii();
            // A body without `<length>` ends at a final result, which may be
            // one of its lines; a call's end does not end a list or read,
            // so there it is taken for what it most likely is, a body line.
            let call_end = matches!(
                Final::parse(line),
                Some(Final::NoCarrier | Final::Busy | Final::NoAnswer)
            );
            t.kind = match () {
                _ if t.all_data => Kind::Data,
                _ if call_end && t.unframed_body => Kind::Data,
                _ if Final::parse(line).is_some() => Kind::Other,
                _ if t.is_header(line) => Kind::Header,
                _ if t.unframed_body => Kind::Data,
                _ => Kind::Other,
            };
            if t.kind == Kind::Header {
                let e = entry(line);
                t.read_header = true;
                t.unframed_body = e.body && e.length.is_none();
                t.unframed |= t.unframed_body;
                if let Some(need) = e.length {
                    let skip_lf = end == b'\r';
                    self.state = State::Header(Framing {
                        need,
                        skip_lf,
                        revised: false,
                    });
                }
            }
            return true;
        }
        if two_line(self.buf.trim_ascii()) {
            self.state = State::Body(self.buf.len());
            return false;
        }
        true
    }

    /// Takes one byte of a body of known length; `true` when it is whole.
    fn framed(&mut self, byte: u8, mut f: Framing) -> bool {
        let end = byte == b'\r' || byte == b'\n';
        if core::mem::take(&mut f.skip_lf) && byte == b'\n' {
            self.state = State::Framed(f);
            return false;
        }
        let len = self.buf.len();
        let need = usize::from(f.need);
        if end && (len >= need || f.revised) {
            // A body that ran past `<length>` is trusted to its line's end
            // only if it is hex, which holds no line break (below).
            if f.revised && !crate::septet::is_hex(&self.buf) {
                self.unframe();
            }
            self.state = State::BodyDone;
            return true;
        }
        if len >= need && !f.revised {
            // More before the line break: an 8-bit or UCS2 body in hex,
            // two digits an octet and `<length>` in octets (or septets:
            // modems differ), runs to the line's end. Anything else is a
            // modem that counts otherwise: what follows is data until the
            // next header.
            f.revised = true;
        }
        if self.buf.push(byte).is_err() {
            self.unframe();
            self.state = State::Discard;
            return true;
        }
        self.state = State::Framed(f);
        false
    }

    /// The body in flight did not fit its `<length>`: where it ends is unknown.
    fn unframe(&mut self) {
        if let Some(t) = &mut self.text {
            t.unframed = true;
            t.unframed_body = true;
        }
    }

    fn frame(&mut self) -> Option<Frame<'_>> {
        match self.state {
            State::Discard => return Some(Frame::Overflow),
            State::BodyDone => return Some(Frame::Data(&self.buf)),
            _ => {}
        }
        if let Some(t) = self.text {
            let line = self.buf.trim_ascii();
            return text_frame(line, t.kind, &mut self.echo_possible);
        }
        if let State::Body(start) = self.state {
            let (header, body) = self.buf.split_at_checked(start)?;
            let body = body.trim_ascii();
            let header = header.trim_ascii();
            return Some(Frame::Urc(match fields::params(header, b"+CMT") {
                Some(header) => Urc::Sms { header, body },
                None => Urc::StatusReport {
                    header: fields::params(header, b"+CDS").unwrap_or_default(),
                    body,
                },
            }));
        }
        let line = self.buf.trim_ascii();
        frame_line(line, self.expected, &mut self.echo_possible, self.reg_n)
    }
}

impl TextAnswer {
    /// A `+CMGL` header, or the first `+CMGR` header of a read.
    fn is_header(&self, line: &[u8]) -> bool {
        let prefix: &[u8] = if self.list { b"+CMGL:" } else { b"+CMGR:" };
        line.starts_with(prefix) && (self.list || !self.read_header)
    }
}

/// What a text-mode header announces.
struct Entry {
    /// A received message (`"REC …"`): its header holds a time stamp.
    received: bool,
    /// A message with a body (`"REC …"`, `"STO …"`); status reports have none.
    body: bool,
    /// The body's `<length>` (`AT+CSDH=1`): the header's last field, a
    /// bare number. Without it the last field is the quoted time stamp or
    /// address, and nothing a sender writes can come after those.
    length: Option<u16>,
}

fn entry(line: &[u8]) -> Entry {
    // `<stat>` is the first quoted field (`+CMGR: "REC …`, `+CMGL: 3,"REC …`);
    // a status report's has none before its address, which is digits.
    let stat = line
        .iter()
        .position(|&b| b == b'"')
        .and_then(|q| line.get(q + 1..q + 4));
    let received = stat == Some(b"REC");
    let body = received || stat == Some(b"STO");
    // The last field, if it is a bare number of up to 4 digits.
    let last = line.rsplit(|&b| b == b',').next().unwrap_or_default();
    let digits = last.trim_ascii();
    let number = (1..=4).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit);
    let length = (body && number).then(|| {
        digits
            .iter()
            .fold(0, |n: u16, &d| n * 10 + u16::from(d - b'0'))
    });
    Entry {
        received,
        body,
        length,
    }
}

/// The header holds a time stamp `…d/dd,dd:dd:dd` (13 characters, more
/// than an alphanumeric sender can hold).
fn has_time_stamp(line: &[u8]) -> bool {
    const SHAPE: &[u8; 13] = b"9/99,99:99:99";
    line.windows(SHAPE.len()).any(|w| {
        w.iter().zip(SHAPE).all(|(&b, &s)| {
            if s == b'9' {
                b.is_ascii_digit()
            } else {
                b == s
            }
        })
    })
}

/// A whole line inside a text-mode answer.
fn text_frame<'a>(line: &'a [u8], kind: Kind, echo_possible: &mut bool) -> Option<Frame<'a>> {
    if kind == Kind::Data && line.is_empty() {
        return None;
    }
    if kind != Kind::Data {
        if let Some(f) = Final::parse(line) {
            return Some(Frame::Final(f));
        }
    }
    // The echo comes before any answer line.
    let echo = core::mem::take(echo_possible);
    if echo && kind == Kind::Other && line.get(..2).is_some_and(|p| p.eq_ignore_ascii_case(b"AT")) {
        *echo_possible = true;
        return None;
    }
    Some(match kind {
        Kind::Data => Frame::Data(line),
        Kind::Header | Kind::Other => Frame::Info(line),
    })
}

/// A line a modem could send: a final result, a URC, or an information
/// line (`+CMGL: …`). Found in a text-mode body whose end is unknown (no
/// `<length>`), it makes the message one never to act on.
pub(crate) fn is_modem_line(line: &[u8]) -> bool {
    let line = line.trim_ascii();
    // `+CLIP: …`, `+CMGL: …`, `*PSUTTZ: …`: a prefix of capitals and a colon.
    let prefixed = line
        .iter()
        .skip(1)
        .position(|&b| b == b':')
        .is_some_and(|end| {
            end > 0
                && matches!(line.first(), Some(b'+' | b'*' | b'^'))
                && line.iter().skip(1).take(end).all(u8::is_ascii_uppercase)
        });
    prefixed || Final::parse(line).is_some() || urc::parse(line).is_some()
}

/// A `+CUSD` line (trimmed) whose quotes are still open.
fn open_quotes(line: &[u8]) -> bool {
    line.starts_with(b"+CUSD") && line.iter().filter(|&&b| b == b'"').count() % 2 == 1
}

/// A header (trimmed) whose body is the next line: `+CMT` and PDU-mode `+CDS`.
fn two_line(line: &[u8]) -> bool {
    line.starts_with(b"+CMT:")
        || fields::params(line, b"+CDS")
            .is_some_and(|p| fields::count(p) == 1 && !line.starts_with(b"+CDSI"))
}

/// A whole trimmed line: a late prompt (`"\n>"` then a line break), or
/// whatever [`classify`] makes of it.
fn frame_line<'a>(
    line: &'a [u8],
    expected: Option<&'static [u8]>,
    echo_possible: &mut bool,
    reg_n: [u8; 3],
) -> Option<Frame<'a>> {
    if line == b">" {
        return Some(Frame::Prompt);
    }
    classify(line, expected, echo_possible, reg_n)
}

fn classify<'a>(
    line: &'a [u8],
    expected: Option<&'static [u8]>,
    echo_possible: &mut bool,
    reg_n: [u8; 3],
) -> Option<Frame<'a>> {
    if let Some(f) = Final::parse(line) {
        return Some(Frame::Final(f));
    }
    // The echo comes before any answer line; later "AT…" lines are data.
    let echo = core::mem::take(echo_possible);
    if echo && line.get(..2).is_some_and(|p| p.eq_ignore_ascii_case(b"AT")) {
        *echo_possible = true;
        return None;
    }
    if let Some(prefix) = expected.filter(|p| line.starts_with(p)) {
        let params = fields::params(line, prefix).unwrap_or_default();
        let solicited = match Domain::ALL.into_iter().find(|d| d.prefix() == prefix) {
            Some(d) => {
                network::is_solicited_reg(params, reg_n.get(d.index()).copied().unwrap_or(2))
            }
            None if prefix == b"+CLIP" => !calls::is_clip_urc(params),
            // The USSD answer always arrives as a URC, whatever was sent.
            None if prefix == b"+CUSD" => false,
            None => true,
        };
        if solicited {
            return Some(Frame::Info(line));
        }
    }
    Some(urc::parse(line).map_or(Frame::Info(line), Frame::Urc))
}
