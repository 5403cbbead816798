//! Dialect profiles: what differs between modem families, as data.
//!
//! The init sequence is the common head (`ATE0`, `AT+CMEE=1`, `AT+CPIN?`),
//! the message format, `AT+CPMS="SM","SM","SM"`, the list of stored
//! messages, then [`Profile::init`]. Each profile's commands follow its
//! vendor's AT manual (named on the constant).

use crate::network::Domain;

/// How the driver learns that an outgoing call was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerDetection {
    /// Poll `AT+CLCC` (27.007 §7.18) until the call is active or gone.
    ClccPolling,
    /// Vendor URCs (`MO CONNECTED` with SIMCom `AT+MORING=1`).
    VendorUrc,
}

/// The SMS message format (27.005 §3.2.3, `AT+CMGF`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmsMode {
    /// PDU mode (`AT+CMGF=0`); a modem that refuses it falls back to text mode.
    Pdu,
    /// Text mode (`AT+CMGF=1`, `AT+CSCS="GSM"`, `AT+CSDH=1`), for dialects
    /// whose PDU mode is missing or broken.
    Text,
}

/// What the board's power pin drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PowerPin {
    /// The modem's supply (a MOSFET, a regulator's enable): off, then on
    /// again, always boots it.
    Supply,
    /// PWRKEY: a pulse of [`Profile::power_pulse_ms`] switches a modem that
    /// is off on, and one that is on *off*. The driver pulses only a modem
    /// known to be off or dead; a running one that needs a restart gets
    /// `AT+CFUN=1,1` (27.007 §8.2) instead.
    PwrKey,
}

/// How a board wires the modem's power: the pin, and whether it reads the
/// module's STATUS output ([`crate::driver::Driver::modem_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PowerWiring {
    /// What the pin drives.
    pub pin: PowerPin,
    /// The board reads STATUS (honoured where [`Profile::status_output`]).
    pub status: bool,
}

impl PowerWiring {
    /// A switched supply, no STATUS: the driver's default.
    pub const SUPPLY: PowerWiring = PowerWiring {
        pin: PowerPin::Supply,
        status: false,
    };
    /// PWRKEY, no STATUS.
    pub const PWRKEY: PowerWiring = PowerWiring {
        pin: PowerPin::PwrKey,
        status: false,
    };
    /// PWRKEY, and STATUS read.
    pub const PWRKEY_STATUS: PowerWiring = PowerWiring {
        pin: PowerPin::PwrKey,
        status: true,
    };
}

/// One modem family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// Family name.
    pub name: &'static str,
    /// Commands sent after the common head, the message format, the
    /// storage selection and the message list, in order.
    pub init: &'static [&'static str],
    /// The preferred SMS message format.
    pub sms_mode: SmsMode,
    /// How answered calls are detected.
    pub answer: AnswerDetection,
    /// The command that ends a call, ringing or up: `ATH` (V.250 §6.3.6)
    /// or `AT+CHUP` (27.007 §6.5), whichever the family always obeys.
    pub hang_up: &'static str,
    /// Registrations polled; the modem is registered when any of them is
    /// (LTE modules often register on EPS alone, with `+CREG` at 0).
    pub domains: &'static [Domain],
    /// PWRKEY pulse that switches the modem on (or supply-off time), ms.
    pub power_pulse_ms: u64,
    /// PWRKEY hold that switches a running modem off, ms (hardware design
    /// guides: SIM800 1–3.3 s, SIM7600 and A76xx at least 2.5 s, M66
    /// 0.7–1 s, EC21 at least 650 ms).
    pub power_off_ms: u64,
    /// The module has a STATUS output (high while it is on).
    pub status_output: bool,
    /// From power-on (or `RDY`) until the SMS service is up, at most; the
    /// init starts earlier when the modem says so ([`crate::Urc::SmsReady`]).
    pub boot_ms: u64,
    /// Whether `+CPIN: READY` may come without `OK` (Wavecom and friends).
    pub cpin_without_ok: bool,
}

const CS: &[Domain] = &[Domain::Cs];
const CS_EPS: &[Domain] = &[Domain::Cs, Domain::Eps];

const COMMON: &[&str] = &["AT+CNMI=2,1,0,1,0", "AT+CLIP=1", "AT+CREG=2"];

/// SIMCom SIM800 (SIM800 Series AT Command Manual V1.09).
pub const SIM800: Profile = Profile {
    name: "SIMCom SIM800",
    init: &[
        "AT+CNMI=2,1,0,1,0",
        "AT+CLIP=1",
        "AT+CREG=2",
        "AT+CLTS=1",
        "AT+MORING=1",
    ],
    answer: AnswerDetection::VendorUrc,
    hang_up: "ATH",
    domains: CS,
    power_pulse_ms: 1100,
    power_off_ms: 1500,
    status_output: true,
    boot_ms: 12_000,
    cpin_without_ok: false,
    sms_mode: SmsMode::Pdu,
};

/// SIMCom SIM900.
pub const SIM900: Profile = Profile {
    name: "SIMCom SIM900",
    power_pulse_ms: 1200,
    ..SIM800
};

/// SIMCom SIM7600 (SIM7500/SIM7600 Series AT Command Manual): `ATH` is
/// ignored for voice calls while `AT+CVHU=1`, its power-on value, so calls
/// end with `AT+CHUP` and the init sets `AT+CVHU=0` as well.
pub const SIM7600: Profile = Profile {
    name: "SIMCom SIM7600",
    init: &[
        "AT+CNMI=2,1,0,1,0",
        "AT+CLIP=1",
        "AT+CVHU=0",
        "AT+CREG=2",
        "AT+CEREG=2",
    ],
    answer: AnswerDetection::ClccPolling,
    hang_up: "AT+CHUP",
    domains: CS_EPS,
    power_pulse_ms: 500,
    power_off_ms: 3000,
    status_output: true,
    boot_ms: 20_000,
    cpin_without_ok: false,
    sms_mode: SmsMode::Pdu,
};

/// SIMCom A7670 and the other A76xx (A76XX Series AT Command Manual): LTE
/// Cat-1 only, so EPS registration counts; `*ATREADY: 1` instead of `RDY`.
pub const A7670: Profile = Profile {
    name: "SIMCom A7670",
    boot_ms: 15_000,
    ..SIM7600
};

/// Quectel M66 (M66 AT Commands Manual): calls are followed with
/// `AT+CLCC`, as `ATD` ends at once while `AT+COLP` is off.
pub const M66: Profile = Profile {
    name: "Quectel M66",
    init: COMMON,
    answer: AnswerDetection::ClccPolling,
    hang_up: "ATH",
    domains: CS,
    power_pulse_ms: 1000,
    power_off_ms: 800,
    status_output: true,
    boot_ms: 12_000,
    cpin_without_ok: false,
    sms_mode: SmsMode::Pdu,
};

/// Quectel EC21 (EC2x AT Commands Manual): LTE.
pub const EC21: Profile = Profile {
    name: "Quectel EC21",
    init: &["AT+CNMI=2,1,0,1,0", "AT+CLIP=1", "AT+CREG=2", "AT+CEREG=2"],
    answer: AnswerDetection::ClccPolling,
    hang_up: "AT+CHUP",
    domains: CS_EPS,
    power_pulse_ms: 600,
    power_off_ms: 800,
    status_output: true,
    boot_ms: 18_000,
    ..M66
};

/// Quectel BG96 (LTE-M/NB-IoT).
pub const BG96: Profile = Profile {
    name: "Quectel BG96",
    power_pulse_ms: 650,
    status_output: true,
    boot_ms: 10_000,
    ..EC21
};

/// u-blox SARA-G3.
pub const SARA_G3: Profile = Profile {
    name: "u-blox SARA-G3",
    init: COMMON,
    answer: AnswerDetection::ClccPolling,
    hang_up: "ATH",
    domains: CS,
    power_pulse_ms: 1000,
    power_off_ms: 1500,
    status_output: true,
    boot_ms: 10_000,
    cpin_without_ok: false,
    sms_mode: SmsMode::Pdu,
};

/// Any 27.005/27.007 modem.
pub const GENERIC: Profile = Profile {
    name: "generic 27.005/27.007",
    init: COMMON,
    answer: AnswerDetection::ClccPolling,
    hang_up: "ATH",
    domains: CS,
    power_pulse_ms: 1000,
    power_off_ms: 1500,
    status_output: false,
    boot_ms: 10_000,
    cpin_without_ok: true,
    sms_mode: SmsMode::Pdu,
};

/// Every profile, by the name `isocket-host run --profile` takes.
pub const ALL: [(&str, &Profile); 9] = [
    ("sim800", &SIM800),
    ("sim900", &SIM900),
    ("sim7600", &SIM7600),
    ("a7670", &A7670),
    ("m66", &M66),
    ("ec21", &EC21),
    ("bg96", &BG96),
    ("sara-g3", &SARA_G3),
    ("generic", &GENERIC),
];

/// The profile named `name` (case-insensitive), as in [`ALL`].
pub fn by_name(name: &str) -> Option<&'static Profile> {
    ALL.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, p)| *p)
}
