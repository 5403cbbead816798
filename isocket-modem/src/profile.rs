//! Dialect profiles: what differs between modem families, as data.

/// How the driver learns that an outgoing call was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerDetection {
    /// Poll `AT+CLCC` (27.007 §7.18) until the call is active or gone.
    ClccPolling,
    /// `AT+COLP=1`: the `ATD` command itself ends when the call is answered.
    Colp,
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

/// One modem family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// Family name.
    pub name: &'static str,
    /// Commands sent after the common `ATE0`, `AT+CMEE=1`, `AT+CPIN?` and
    /// the message format commands ([`Profile::sms_mode`]), in order.
    pub init: &'static [&'static str],
    /// The preferred SMS message format.
    pub sms_mode: SmsMode,
    /// How answered calls are detected.
    pub answer: AnswerDetection,
    /// PWRKEY pulse (or supply-off time) in milliseconds.
    pub power_pulse_ms: u64,
    /// Time from power-on until the modem accepts commands.
    pub boot_ms: u64,
    /// Whether `+CPIN: READY` may come without `OK` (Wavecom and friends).
    pub cpin_without_ok: bool,
}

const COMMON: &[&str] = &[
    "AT+CNMI=2,1,0,1,0",
    "AT+CLIP=1",
    "AT+CREG=2",
    "AT+CPMS=\"SM\",\"SM\",\"SM\"",
];

/// SIMCom SIM800.
pub const SIM800: Profile = Profile {
    name: "SIMCom SIM800",
    init: &[
        "AT+CNMI=2,1,0,1,0",
        "AT+CLIP=1",
        "AT+CREG=2",
        "AT+CLTS=1",
        "AT+MORING=1",
        "AT+CPMS=\"SM\",\"SM\",\"SM\"",
    ],
    answer: AnswerDetection::VendorUrc,
    power_pulse_ms: 1100,
    boot_ms: 3000,
    cpin_without_ok: false,
    sms_mode: SmsMode::Pdu,
};

/// SIMCom SIM900.
pub const SIM900: Profile = Profile {
    name: "SIMCom SIM900",
    power_pulse_ms: 1200,
    ..SIM800
};

/// SIMCom SIM7600 (LTE).
pub const SIM7600: Profile = Profile {
    name: "SIMCom SIM7600",
    init: &[
        "AT+CNMI=2,1,0,1,0",
        "AT+CLIP=1",
        "AT+CREG=2",
        "AT+CEREG=2",
        "AT+CPMS=\"SM\",\"SM\",\"SM\"",
    ],
    answer: AnswerDetection::ClccPolling,
    power_pulse_ms: 500,
    boot_ms: 15000,
    cpin_without_ok: false,
    sms_mode: SmsMode::Pdu,
};

/// Quectel M66.
pub const M66: Profile = Profile {
    name: "Quectel M66",
    init: COMMON,
    answer: AnswerDetection::Colp,
    power_pulse_ms: 1000,
    boot_ms: 4000,
    cpin_without_ok: false,
    sms_mode: SmsMode::Pdu,
};

/// Quectel EC21 (LTE).
pub const EC21: Profile = Profile {
    name: "Quectel EC21",
    init: SIM7600.init,
    answer: AnswerDetection::ClccPolling,
    power_pulse_ms: 600,
    boot_ms: 13000,
    ..M66
};

/// Quectel BG96 (LTE-M/NB-IoT).
pub const BG96: Profile = Profile {
    name: "Quectel BG96",
    power_pulse_ms: 650,
    boot_ms: 5000,
    ..EC21
};

/// u-blox SARA-G3.
pub const SARA_G3: Profile = Profile {
    name: "u-blox SARA-G3",
    init: COMMON,
    answer: AnswerDetection::ClccPolling,
    power_pulse_ms: 1000,
    boot_ms: 5000,
    cpin_without_ok: false,
    sms_mode: SmsMode::Pdu,
};

/// Any 27.005/27.007 modem.
pub const GENERIC: Profile = Profile {
    name: "generic 27.005/27.007",
    init: COMMON,
    answer: AnswerDetection::ClccPolling,
    power_pulse_ms: 1000,
    boot_ms: 5000,
    cpin_without_ok: true,
    sms_mode: SmsMode::Pdu,
};
