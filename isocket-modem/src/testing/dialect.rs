//! What differs between modem families, as the emulated modem plays it.
//! Each field names the manual section it follows; where a manual leaves a
//! value open (a boot time, a ring interval) the value is what users'
//! transcripts show, and the doc says so.
//!
//! Manuals: SIMCom *SIM800 Series AT Command Manual* V1.09, *SIM7500/SIM7600
//! Series AT Command Manual* V3.00, *A76XX Series AT Command Manual* V1.09;
//! Quectel *M66 AT Commands Manual* V3.3, *EC2x&EG9x&EM05 AT Commands
//! Manual* V2.0; 3GPP TS 27.007, TS 27.005 and ITU-T V.250.

/// Which registration a family reports, each on its own (27.007 §7.2
/// `+CREG` circuit switched, §10.1.20 `+CGREG` GPRS, §10.1.22 `+CEREG` EPS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domains {
    /// Circuit switched (`+CREG`).
    pub cs: bool,
    /// Packet switched, GPRS (`+CGREG`).
    pub ps: bool,
    /// EPS, LTE (`+CEREG`); only LTE families know the command.
    pub eps: bool,
}

/// How the far end's answer to our `ATD` reaches the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialProgress {
    /// SIMCom `AT+MORING=1`: `MO RING`, then `MO CONNECTED` (SIM800 manual,
    /// AT+MORING); without it, nothing until `NO CARRIER`.
    MoRing,
    /// 27.007 §7.8 `AT+COLP=1`: `ATD` ends with `+COLP` and `OK` only once
    /// the call is answered (or with `BUSY` / `NO ANSWER` / `NO CARRIER`);
    /// with COLP off it ends with `OK` at once (Quectel M66 manual, ATD).
    Colp,
    /// Only `AT+CLCC` (27.007 §7.18) tells; `ATD` ends with `OK` at once.
    Clcc,
}

/// One modem family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// Family name.
    pub name: &'static str,
    /// What the modem prints after power-on or a reset with a fixed baud
    /// rate, each line with its time in ms after power-on. With autobaud
    /// (SIM800 and M66 default, `AT+IPR=0`) nothing is printed.
    pub boot: &'static [(u64, &'static str)],
    /// The AT interpreter answers from this ms after power-on; before, input is lost.
    pub at_ready_ms: u64,
    /// `AT+CPIN?` answers `+CME ERROR: 14` (SIM busy, 27.007 §9.2.1) until this.
    pub sim_ready_ms: u64,
    /// Call commands (`AT+CLIP`, `AT+COLP`, `AT+CVHU`, `AT+MORING`) answer
    /// `ERROR` until this (SIMCom: until `Call Ready`).
    pub call_ready_ms: u64,
    /// SMS commands answer `+CMS ERROR: 314` (SIM busy, 27.005 §3.2.5)
    /// until this (SIMCom: `SMS Ready` / `SMS DONE`; Quectel `+QIND: SMS DONE`).
    pub sms_ready_ms: u64,
    /// Registration domains the family reports when the network takes it.
    pub domains: Domains,
    /// `AT+CVHU` exists, and its power-on value is 1: `ATH` answers `OK`
    /// but leaves a voice call up (SIM7600 manual and A76XX manual,
    /// AT+CVHU). `AT+CVHU=0` makes `ATH` hang up.
    pub cvhu: bool,
    /// `AT+CHUP` (27.007 §6.5) exists and always hangs up.
    pub chup: bool,
    /// How our call's progress shows.
    pub dial: DialProgress,
    /// `NO CARRIER` when a caller gives up on an unanswered incoming call;
    /// otherwise the `RING`s just stop.
    pub missed_call_no_carrier: bool,
    /// Interval of `RING` (and `+CLIP`, 27.007 §7.6) for an incoming call;
    /// the network sets it, users' logs show 3–6 s.
    pub ring_every_ms: u64,
    /// PWRKEY held low this long switches the modem on, ms.
    pub pwrkey_on_ms: u64,
    /// PWRKEY held low this long switches a running modem off, ms.
    pub pwrkey_off_ms: u64,
    /// The line a full message storage prints when a message finds no
    /// room, if the family has one (EC2x manual, `AT+QINDCFG="smsfull"`);
    /// the others just stop announcing (27.005 §3.4.1).
    pub storage_full: Option<&'static str>,
    /// With `AT+CSDH=1`, a text-mode `+CMGL` header carries all of
    /// `+CMGR`'s details (`<tooa>,<fo>,<pid>,<dcs>,<sca>,<tosca>,<length>`,
    /// SIM7500/SIM7600 manual V1.07, AT+CMGL), not only `<tooa>,<length>`
    /// (SIM800 manual V1.09 §4.2.3, 27.005 §3.4.2).
    pub list_details: bool,
}

const SIM800_BOOT: &[(u64, &str)] = &[
    (1_500, "RDY"),
    (2_500, "+CFUN: 1"),
    (4_000, "+CPIN: READY"),
    (7_000, "Call Ready"),
    (9_000, "SMS Ready"),
];

/// SIMCom SIM800: 2G only; boot lines per the SIM800 manual's unsolicited result
/// codes and its hardware design guide (RDY, +CFUN, +CPIN, Call Ready, SMS Ready).
pub const SIM800: Dialect = Dialect {
    name: "SIMCom SIM800",
    boot: SIM800_BOOT,
    at_ready_ms: 1_500,
    sim_ready_ms: 4_000,
    call_ready_ms: 7_000,
    sms_ready_ms: 9_000,
    domains: Domains {
        cs: true,
        ps: true,
        eps: false,
    },
    cvhu: false,
    chup: false,
    dial: DialProgress::MoRing,
    missed_call_no_carrier: true,
    ring_every_ms: 4_000,
    pwrkey_on_ms: 1_000,
    pwrkey_off_ms: 1_000,
    storage_full: None,
    list_details: false,
};

/// SIMCom SIM7600: LTE with 3G/2G fallback; `RDY`, `+CPIN: READY`,
/// `SMS DONE`, `PB DONE` (SIM7600 manual, "Unsolicited result codes");
/// about 15 s to SMS.
pub const SIM7600: Dialect = Dialect {
    name: "SIMCom SIM7600",
    boot: &[
        (9_000, "RDY"),
        (11_000, "+CPIN: READY"),
        (15_000, "SMS DONE"),
        (17_000, "PB DONE"),
    ],
    at_ready_ms: 9_000,
    sim_ready_ms: 11_000,
    call_ready_ms: 15_000,
    sms_ready_ms: 15_000,
    domains: Domains {
        cs: true,
        ps: true,
        eps: true,
    },
    cvhu: true,
    chup: true,
    dial: DialProgress::Clcc,
    missed_call_no_carrier: false,
    ring_every_ms: 5_000,
    pwrkey_on_ms: 500,
    pwrkey_off_ms: 2_500,
    storage_full: None,
    list_details: true,
};

/// SIMCom A7670 / A76xx: LTE Cat-1 only, so registration is EPS (CS by
/// SGs or not at all); `*ATREADY: 1` instead of `RDY`, then `+CPIN: READY`,
/// `SMS DONE`, `PB DONE` (A76XX manual, "Unsolicited result codes").
pub const A7670: Dialect = Dialect {
    name: "SIMCom A7670",
    boot: &[
        (6_000, "*ATREADY: 1"),
        (7_000, "+CPIN: READY"),
        (11_000, "SMS DONE"),
        (13_000, "PB DONE"),
    ],
    at_ready_ms: 6_000,
    sim_ready_ms: 7_000,
    call_ready_ms: 11_000,
    sms_ready_ms: 11_000,
    domains: Domains {
        cs: false,
        ps: true,
        eps: true,
    },
    // The text-mode list header as the SIM7600's (`list_details`): the
    // same SIMCom family, not checked against an A76XX manual.
    ..SIM7600
};

/// Quectel M66: 2G only; `RDY`, `+CFUN: 1`, `+CPIN: READY`, `Call Ready`,
/// `SMS Ready` (M66 manual, unsolicited result codes).
pub const M66: Dialect = Dialect {
    name: "Quectel M66",
    boot: SIM800_BOOT,
    cvhu: false,
    chup: false,
    dial: DialProgress::Colp,
    missed_call_no_carrier: true,
    pwrkey_on_ms: 600,
    pwrkey_off_ms: 700,
    ..SIM800
};

/// Quectel EC21: LTE; `RDY`, `+CPIN: READY`, `+QUSIM: 1`, `+QIND: SMS
/// DONE`, `+QIND: PB DONE` (EC2x manual, unsolicited result codes and `AT+QINDCFG`); `ATH`
/// hangs up (V.250 §6.3.6), `AT+CHUP` too.
pub const EC21: Dialect = Dialect {
    name: "Quectel EC21",
    boot: &[
        (8_000, "RDY"),
        (10_000, "+CPIN: READY"),
        (10_100, "+QUSIM: 1"),
        (13_000, "+QIND: SMS DONE"),
        (15_000, "+QIND: PB DONE"),
    ],
    at_ready_ms: 8_000,
    sim_ready_ms: 10_000,
    call_ready_ms: 13_000,
    sms_ready_ms: 13_000,
    cvhu: false,
    storage_full: Some("+QIND: \"smsfull\",\"SM\""),
    list_details: false,
    pwrkey_on_ms: 500,
    pwrkey_off_ms: 650,
    ..SIM7600
};

/// Any 27.005/27.007 modem: no boot lines at all, only "SIM busy" until ready.
pub const GENERIC: Dialect = Dialect {
    name: "generic 27.007",
    boot: &[],
    at_ready_ms: 3_000,
    sim_ready_ms: 5_000,
    call_ready_ms: 5_000,
    sms_ready_ms: 8_000,
    domains: Domains {
        cs: true,
        ps: true,
        eps: false,
    },
    cvhu: false,
    chup: true,
    dial: DialProgress::Clcc,
    missed_call_no_carrier: false,
    ring_every_ms: 5_000,
    pwrkey_on_ms: 1_000,
    pwrkey_off_ms: 1_000,
    storage_full: None,
    list_details: false,
};

/// Every family, for tests that run each.
pub const ALL: [&Dialect; 6] = [&SIM800, &SIM7600, &A7670, &M66, &EC21, &GENERIC];
