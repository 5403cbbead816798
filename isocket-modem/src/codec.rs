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
    /// Lines are an SMS text, not URCs, until the final result.
    text_body: bool,
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
            text_body: false,
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
        self.text_body = false;
        self.expected = None;
        self.prompt_possible = false;
        self.echo_possible = false;
    }

    /// Until the final result ([`Codec::done`]), every line but a final
    /// result is an [`Frame::Info`]: a text-mode SMS body, whose lines can
    /// read like URCs (`RDY`, `+CLIP: …`).
    pub fn set_text_body(&mut self, on: bool) {
        self.text_body = on;
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
            if let State::Body(_) = self.state {
                self.state = State::Line;
            }
        }
        let start = match self.fast_line(input) {
            Fast::Frame(used, line) => {
                let frame = frame_line(
                    line,
                    self.expected,
                    &mut self.echo_possible,
                    self.reg_n,
                    self.text_body,
                );
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
        if self.state != State::Line || !self.buf.is_empty() || self.prompt_possible {
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
            State::Line if end && self.open_quotes() => {}
            State::Line if end => return self.line_complete(),
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

    /// A `+CUSD` line with an unclosed quote continues past the line break.
    fn open_quotes(&self) -> bool {
        open_quotes(self.buf.trim_ascii())
    }

    /// A line ended: frame it, or wait for the body of a two-line URC.
    fn line_complete(&mut self) -> bool {
        if two_line(self.buf.trim_ascii()) {
            self.state = State::Body(self.buf.len());
            return false;
        }
        true
    }

    fn frame(&mut self) -> Option<Frame<'_>> {
        if self.state == State::Discard {
            return Some(Frame::Overflow);
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
        frame_line(
            line,
            self.expected,
            &mut self.echo_possible,
            self.reg_n,
            self.text_body,
        )
    }
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
    text_body: bool,
) -> Option<Frame<'a>> {
    if line == b">" {
        return Some(Frame::Prompt);
    }
    if text_body && Final::parse(line).is_none() {
        return Some(Frame::Info(line));
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
