#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Every dialect quirk of `tests/data/modem_transcripts.md` through
//! the codec, fed whole, byte by byte, and in pseudo-random chunks: all three
//! must give the same frames.

use isocket_modem::network::{Domain, RegStatus, SimState};
use isocket_modem::urc::Urc;
use isocket_modem::{Codec, Final, Frame};

/// What the test announces before feeding: the answer prefix and whether a prompt may come.
type Expect = Option<(&'static [u8], bool)>;

fn run(expect: Expect, input: &[u8], chunks: &mut dyn Iterator<Item = usize>) -> Vec<String> {
    let mut codec: Codec = Codec::new();
    if let Some((prefix, prompt)) = expect {
        codec.expect(Some(prefix), prompt);
    }
    let mut out = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let n = chunks.next().unwrap().clamp(1, rest.len());
        let (chunk, tail) = rest.split_at(n);
        codec.feed(chunk, |f| out.push(format!("{f:?}")));
        rest = tail;
    }
    out
}

/// Frames of `input`, checked to be the same however the input is split.
fn frames(expect: Expect, input: &str) -> Vec<String> {
    let whole = run(expect, input.as_bytes(), &mut std::iter::repeat(usize::MAX));
    let bytes = run(expect, input.as_bytes(), &mut std::iter::repeat(1));
    assert_eq!(whole, bytes, "byte by byte: {input:?}");
    for seed in 1..20u64 {
        let mut state = seed;
        let mut lcg = std::iter::from_fn(move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            Some((state >> 33) as usize % 9 + 1)
        });
        assert_eq!(
            whole,
            run(expect, input.as_bytes(), &mut lcg),
            "chunks, seed {seed}: {input:?}"
        );
    }
    whole
}

fn f(frame: Frame<'_>) -> String {
    format!("{frame:?}")
}

fn info(line: &str) -> String {
    f(Frame::Info(line.as_bytes()))
}

const OK: Frame<'static> = Frame::Final(Final::Ok);

#[test]
fn echo_is_dropped_with_any_line_ending() {
    // PGF: ATE1 echoes; some firmwares echo `AT…\r` and then send `\r\n`.
    let got = frames(
        Some((b"+CSQ", false)),
        "AT+CSQ\r\r\n+CSQ: 18,99\r\n\r\nOK\r\n",
    );
    assert_eq!(got, [info("+CSQ: 18,99"), f(OK)]);
    let got = frames(Some((b"+CSQ", false)), "\n+CSQ:4,0\n\nOK\n");
    assert_eq!(got, [info("+CSQ:4,0"), f(OK)]);
}

#[test]
fn finals_of_every_kind() {
    let got = frames(
        None,
        "OK\r\nERROR\r\n+CME ERROR: 515\r\n+CMS ERROR: 330\r\nNO CARRIER\r\nBUSY\r\nNO ANSWER\r\nCOMMAND NOT SUPPORT\r\n+CME ERROR: SIM busy\r\n",
    );
    let finals = [
        Final::Ok,
        Final::Error,
        Final::CmeError(Some(515)),
        Final::CmsError(Some(330)),
        Final::NoCarrier,
        Final::Busy,
        Final::NoAnswer,
        Final::NotSupported,
        Final::CmeError(None),
    ];
    assert_eq!(got, finals.map(|x| f(Frame::Final(x))));
}

#[test]
fn cpin_ready_without_ok_and_unsolicited() {
    // PGF Wavecom: AT+CPIN? -> '+CPIN: READY' and no OK.
    assert_eq!(
        frames(Some((b"+CPIN", false)), "+CPIN: READY\r\n"),
        [info("+CPIN: READY")]
    );
    // SIMCom after boot, nobody asked.
    assert_eq!(
        frames(
            None,
            "\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\nCall Ready\r\n\r\nSMS Ready\r\n"
        ),
        [
            f(Frame::Urc(Urc::Ready)),
            f(Frame::Urc(Urc::Sim(SimState::Ready))),
            f(Frame::Urc(Urc::CallReady)),
            f(Frame::Urc(Urc::SmsReady))
        ]
    );
}

#[test]
fn creg_solicited_and_urc_are_told_apart() {
    // MMH: mercury, sek850i, e160g, u-blox, XU870, iridium, S8500, Gobi.
    let solicited = [
        "+CREG: 2,1,\"CE00\",\"01CEAD8F\"",
        "+CREG: 2,0,00,0",
        "+CREG: 2,1,8BE3,2BAF",
        "+CREG: 2,,",
        "+CREG:002,001,\"18d8\",\"ffff\"",
        "+CREG: 2,1,000B,2816, B, C2816",
        "+CREG: 2,1,  0 5, 2715",
        "+CREG: 2,6,\"8B37\",\"0A265185\",7",
        "+CREG: 2,5,\"2AF5\",\"0B88E350\",2",
    ];
    for line in solicited {
        let got = frames(Some((b"+CREG", false)), &format!("{line}\r\nOK\r\n"));
        assert_eq!(got, [info(line), f(OK)], "{line}");
    }
    // URCs, even while AT+CREG? is in flight (atat #179/#223).
    let urcs = [
        ("+CREG: 1,84CD,00D30156", RegStatus::Home),
        ("+CREG: 1,\"CE00\",\"00005449\"", RegStatus::Home),
        ("+CREG: 6,\"8B37\",\"0A265185\",7", RegStatus::from_code(6)),
        ("+CREG: 5", RegStatus::Roaming),
        ("+CREG: 11", RegStatus::from_code(11)),
    ];
    for (line, status) in urcs {
        let got = frames(Some((b"+CREG", false)), &format!("\r\n{line}\r\n"));
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("Urc(Registration"), "{line}: {got:?}");
        assert!(
            got[0].contains(&format!("status: {status:?}")),
            "{line}: {got:?}"
        );
    }
    // Two URCs in one read (MMH multi).
    let got = frames(None, "\r\n+CREG: 5\r\n\r\n+CGREG: 0\r\n");
    assert!(got[0].contains("Cs") && got[1].contains("Gprs"), "{got:?}");
    // n = 0: `+CREG: 0,1` is the answer, `+CREG: 1` the URC.
    let mut codec: Codec = Codec::new();
    codec.set_reg_mode(Domain::Cs, 0);
    codec.expect(Some(b"+CREG"), false);
    let mut got = vec![];
    codec.feed(b"+CREG: 1\r\n+CREG: 0,1\r\nOK\r\n", |x| got.push(f(x)));
    assert!(got[0].starts_with("Urc"));
    assert_eq!(got[1..], [info("+CREG: 0,1"), f(OK)]);
}

#[test]
fn clip_after_ring_in_every_form() {
    // PGF/PGT: 27.007 full form, Wavecom 2 fields, +CRING, SIM800 quoted empties.
    for (ring, clip) in [
        ("RING", "+CLIP: \"+27821231234\",145,,,,0"),
        ("+CRING: VOICE", "+CLIP: \"+27821231234\",145"),
        ("RING", "+CLIP: \"27821231234\",145,\"\",0,\"\",0"),
    ] {
        let got = frames(None, &format!("\r\n{ring}\r\n\r\n{clip}\r\n"));
        assert_eq!(got.len(), 2);
        assert!(got[0] == f(Frame::Urc(Urc::Ring)) || got[0] == f(Frame::Urc(Urc::CRing)));
        assert!(got[1].contains("number: \"+27821231234\""), "{got:?}");
    }
    // The solicited AT+CLIP? answer stays an answer.
    assert_eq!(
        frames(Some((b"+CLIP", false)), "+CLIP: 1,1\r\nOK\r\n"),
        [info("+CLIP: 1,1"), f(OK)]
    );
}

#[test]
fn cmgs_prompt_forms_and_zte_interleaving() {
    // PGT: "> " and "\n>"; ZTE interleaves +ZDONR/+ZPASR before +CMGS.
    for prompt in ["> ", "\r\n> ", "\n>"] {
        let got = frames(Some((b"+CMGS", true)), prompt);
        assert_eq!(got, [f(Frame::Prompt)], "{prompt:?}");
    }
    let got = frames(
        Some((b"+CMGS", true)),
        "AT+CMGS=23\r> \r\n+ZDONR: \"METEOR\",272,3,\"CS_ONLY\",\"ROAM_OFF\"\r\n+ZPASR: \"UMTS\"\r\n+CMGS: 198\r\n\r\nOK\r\n",
    );
    assert_eq!(
        got,
        [
            f(Frame::Prompt),
            info("+ZDONR: \"METEOR\",272,3,\"CS_ONLY\",\"ROAM_OFF\""),
            info("+ZPASR: \"UMTS\""),
            info("+CMGS: 198"),
            f(OK)
        ]
    );
}

#[test]
fn cmt_takes_its_body_in_pdu_and_text_mode() {
    // SIM800 manual (PDU), and the unattributed text-mode snippet with a negative zone.
    let got = frames(
        None,
        "\r\n+CMT: \"\",29\r\n06917228195339040A9110325476980000313080512061800CC8329BFD06DDDF72363904\r\n",
    );
    assert_eq!(
        got,
        [f(Frame::Urc(Urc::Sms {
            header: b"\"\",29",
            body: b"06917228195339040A9110325476980000313080512061800CC8329BFD06DDDF72363904"
        }))]
    );
    let got = frames(
        None,
        "\r\n+CMT: \"+5493487123456\",\"\",\"22/06/28,22:02:24-12\"\r\nBoooenas\r\n+CMTI: \"SM\",3\r\n",
    );
    assert!(got[0].contains("body: [66, 111"), "{got:?}");
    assert_eq!(
        got[1],
        f(Frame::Urc(Urc::NewSms {
            storage: b"SM",
            index: 3
        }))
    );
    // +CDS in PDU mode has a body; +CDSI does not.
    let got = frames(
        None,
        "+CDS: 24\r\n07917248014000F506B70AA18092020000317071518590803170715185418000\r\n+CDSI: \"SM\",3\r\n",
    );
    assert!(got[0].starts_with("Urc(StatusReport"));
    assert_eq!(got[1], f(Frame::Urc(Urc::NewStatusReport { index: 3 })));
}

#[test]
fn cmgr_and_cmgl_dialects_are_info_lines() {
    // GM at-sms headers, MMH same-line PDU, the stray trailing quote of 04.dump.
    for header in [
        "+CMGR: 3,,29",
        "+CMGR: 0,23",
        "+CMGR: ,,27",
        "+CMGR: 24",
        "+CMGR: 4,1,,151",
        "+CMGR: 1,,147 07914306073011F0",
    ] {
        let got = frames(
            Some((b"+CMGR", false)),
            &format!("{header}\r\n0791A301\"\r\nOK\r\n"),
        );
        assert_eq!(got, [info(header), info("0791A301\""), f(OK)]);
    }
    // Text mode: Motorola multi-line body with a line starting with '.', then OK.
    let got = frames(
        Some((b"+CMGR", false)),
        "+CMGR: \"REC READ\", \"+4123456789132\", \"2009/8/18,19:11:45\"\r\nline one\r\n.line two\r\nAT the end\r\n\r\nOK\r\n",
    );
    assert_eq!(got.len(), 5);
    assert_eq!(
        got[3],
        info("AT the end"),
        "a body line starting with AT is not an echo"
    );
    // PGT: a garbage line inside a list does not cost sync (atat #213).
    let got = frames(
        Some((b"+CMGL", false)),
        "+CMGL: 0,0,,35\r\nAFSDLF SDKFJSKDLFJLKSDJF SJDLKFSKLDJFKSDFS\r\n07917248\r\n+CMGL: 1,1,,161\r\n0791\r\nOK\r\n",
    );
    assert_eq!(got.len(), 6);
    assert_eq!(got[5], f(OK));
}

#[test]
fn cusd_multi_line_and_ordering() {
    // PGT: CR LF inside the quotes; +CUSD before OK; the release dance.
    let got = frames(
        Some((b"+CUSD", false)),
        "+CUSD: 1,\"Bal:$100.00 *\r\nExp 01 Jan 2013\r\n1. Recharge\r\n2. Balance\",15\r\nOK\r\n",
    );
    assert_eq!(got.len(), 2);
    assert!(
        got[0].contains("Bal:$100.00 *\\r\\nExp 01 Jan 2013\\r\\n1. Recharge"),
        "{got:?}"
    );
    let got = frames(
        None,
        "OK\r\n+CUSD: 3,\"Other local client responded\",15\r\n+CUSD: 0,\"Test2\",15\r\n",
    );
    assert_eq!(got.len(), 3);
    assert!(got[1].contains("OtherClient") && got[2].contains("Test2"));
    // GM 01-E160: unquoted packed GSM-7, no DCS.
    let got = frames(
        None,
        "+CUSD: 0, 49B41C74ACD3D16171D90D66666666666666666666B45CAC76C3CD6CB41B2D060389CB74F9FE4C07DD5CB91AA85897BF1B\r\n",
    );
    assert!(got[0].contains("text: \"Ihr"), "{got:?}");
}

#[test]
fn cclk_and_network_time() {
    // MMH +CCLK forms; SIMCom network-time URCs.
    let got = frames(
        None,
        "+CCLK: 17/07/26,11:42:15+01\r\n+CCLK:   \"15/02/28,20:30:40-32\"\r\n*PSUTTZ: 2017,8,1,10,20,30,\"+32\",0\r\n+CTZV: \"+32\"\r\nDST: 1\r\n",
    );
    assert_eq!(got.len(), 5);
    assert!(got[0].contains("2017-07-26T11:42:15+00:15"), "{got:?}");
    assert!(got[1].contains("-08:00"), "{got:?}");
    assert!(
        got[2..].iter().all(|g| g.starts_with("Urc(NetworkTime")),
        "{got:?}"
    );
    // A broken clock is an info line, not a panic (MMH).
    assert_eq!(
        frames(None, "+CCLK: \"XX/XX/XX,XX:XX:XX+XX\"\r\n"),
        [info("+CCLK: \"XX/XX/XX,XX:XX:XX+XX\"")]
    );
}

#[test]
fn power_and_voltage_lines() {
    let got = frames(
        None,
        "NORMAL POWER DOWN\r\nUNDER-VOLTAGE WARNNING\r\nRDY\r\n",
    );
    assert_eq!(
        got,
        [
            f(Frame::Urc(Urc::PowerDown)),
            f(Frame::Urc(Urc::UnderVoltage)),
            f(Frame::Urc(Urc::Ready))
        ]
    );
}

#[test]
fn vendor_quirk_info_lines() {
    // PGF: Wavecom leading space, Nokia 5-line CGMR, Huawei double CR, ZTE test-answer to a read.
    let got = frames(Some((b"+CGMI", false)), " WAVECOM MODEM\r\nOK\r\n");
    assert_eq!(got, [info("WAVECOM MODEM"), f(OK)]);
    let got = frames(
        None,
        "V ICPR72_08w44.1\r\n24-11-08\r\nRM-348\r\n(c) Nokia\r\n11.049\r\nOK\r\n",
    );
    assert_eq!(got.len(), 6);
    let got = frames(None, "&C\r\r\n&D\r\r\nOK\r\n");
    assert_eq!(got, [info("&C"), info("&D"), f(OK)]);
    let got = frames(
        Some((b"+CPMS", false)),
        "\r\n+CPMS: (\"SM\", \"ME\", \"SM_P\"), (), ()\r\n+CPMS:  \r\nOK\r\n",
    );
    assert_eq!(got.len(), 3);
}

#[test]
fn over_long_line_is_dropped_and_reported() {
    let mut codec: Codec<16> = Codec::new();
    let mut got = vec![];
    codec.feed(b"+CSQ: 1,0\r\n0123456789ABCDEF0123456789\r\nOK\r\n", |x| {
        got.push(f(x))
    });
    assert_eq!(got.len(), 3);
    assert_eq!(got[1], f(Frame::Overflow));
    assert_eq!(got[2], f(OK));
}
