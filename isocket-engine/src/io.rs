//! The engine's interface: what the board tells it ([`Event`]) and what it
//! asks the board to do ([`Action`]).

use heapless::String;
use isocket_proto::{PhoneNumber, Probe, Timestamp, UssdCode};

use crate::leds::LedPattern;

/// Longest SMS text the engine sends; longer replies go out as a
/// concatenated SMS, which the modem splits (manual §3). The longest reply,
/// a full SHOWALARMLOG, is 190 characters.
pub const SMS_TEXT_LEN: usize = 200;

/// The text of an outgoing SMS.
pub type SmsText = String<SMS_TEXT_LEN>;

/// Something that happened outside the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// An SMS arrived. `from` is the sender as the network gave it (may be
    /// empty, alphanumeric, or carry a `+`), `toa` its type of address;
    /// `sent_at` the service-centre time stamp.
    SmsReceived {
        /// Sender address.
        from: &'a str,
        /// The sender's type-of-address octet ([`isocket_proto::toa`]):
        /// an alphanumeric sender ID (`0xD0`) is never a phone number, even
        /// when it is all digits.
        toa: u8,
        /// Message text, reassembled and decoded.
        text: &'a str,
        /// Service-centre time stamp, if valid.
        sent_at: Option<Timestamp>,
    },
    /// An incoming call started ringing; `from` is the caller id (empty if
    /// hidden). A call first reported hidden may come again with its caller
    /// id before [`Event::IncomingCallEnded`]; each call is acted on once.
    IncomingCall {
        /// Caller id.
        from: &'a str,
        /// The caller id's type-of-address octet ([`isocket_proto::toa`]).
        toa: u8,
    },
    /// The incoming call stopped ringing (the caller gave up).
    IncomingCallEnded,
    /// The device's own call was answered.
    CallAnswered,
    /// The device's own call was rejected or busy.
    CallRejected,
    /// The device's own call ended (or could not be placed).
    CallEnded,
    /// The network's answer to the pending USSD request.
    UssdAnswer(&'a str),
    /// The USSD request failed.
    UssdFailed,
    /// Registered on the network.
    NetworkRegistered,
    /// Registration lost.
    NetworkLost,
    /// Signal strength in dBm, if known.
    Signal(Option<i16>),
    /// The network reported its time (NITZ).
    NetworkTime(Timestamp),
    /// The modem's health, as its supervisor sees it (drives the LEDs, manual §8).
    Modem(ModemHealth),
    /// The probe's answer to [`Action::MeasureTemperature`].
    Temperature(Probe),
    /// The alarm input's contact changed (debounced): `true` when closed.
    InputContact(bool),
    /// The hidden button.
    Button(ButtonEvent),
    /// Mains power failed (running on battery).
    MainsLost,
    /// Mains power returned.
    MainsRestored,
    /// An [`Action::SendSms`] went out (the network accepted it).
    SmsSent,
    /// An [`Action::SendSms`] was given up (the modem refused or dropped it).
    SmsFailed,
    /// The outcome of an [`Action::Save`].
    Saved {
        /// Which record.
        record: Record,
        /// Whether it is durable now.
        ok: bool,
    },
}

/// The modem's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ModemHealth {
    /// Working.
    #[default]
    Ok,
    /// The SIM is missing or asks for a PIN.
    SimError,
    /// The modem does not answer or keeps failing.
    ModemError,
}

/// What the hidden button did (manual §8). The board classifies the raw
/// contact (debounce, the 10 s mark) and reports these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ButtonEvent {
    /// Released before 10 s: toggle the socket, or disarm the alarm.
    ShortPress,
    /// Still held at 10 s (once, while held): POWER and OUT blink fast.
    LongPressReached,
    /// Released after [`ButtonEvent::LongPressReached`]: the factory reset.
    LongPressReleased,
}

/// A storage record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Record {
    /// [`crate::Settings`], from [`crate::Engine::settings`].
    Settings,
    /// The relay's base state, from [`crate::Engine::relay_base_state`].
    Relay,
    /// The alarm log, from [`crate::Engine::alarm_log`].
    AlarmLog,
}

/// The three LEDs (`Default`: all dark, as before the first pattern).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Leds {
    /// POWER, green.
    pub power: LedPattern,
    /// GSM, blue.
    pub gsm: LedPattern,
    /// OUT, red.
    pub out: LedPattern,
}

/// Something the engine asks the board to do. (`Text` is the engine's own
/// business: its queue holds `Action<()>` and keeps the texts apart.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<Text = SmsText> {
    /// Send an SMS (queue and retry it until the network takes it).
    SendSms {
        /// Recipient.
        to: PhoneNumber,
        /// Text, GSM-7 only; split into a concatenated SMS if long.
        text: Text,
    },
    /// Call a number; report [`Event::CallAnswered`], [`Event::CallRejected`] or [`Event::CallEnded`].
    Dial(PhoneNumber),
    /// Hang up the current call (incoming or own).
    HangUp,
    /// Switch the relay.
    SetRelay(bool),
    /// Send a USSD request; report [`Event::UssdAnswer`] or [`Event::UssdFailed`].
    SendUssd(UssdCode),
    /// Read the probe now; report [`Event::Temperature`].
    MeasureTemperature,
    /// Persist a record; report [`Event::Saved`].
    Save(Record),
    /// Set the battery-backed clock, so the time survives a reboot (`None`: unset it).
    SetClock(Option<Timestamp>),
    /// Show these LED patterns.
    SetLeds(Leds),
    /// Restart the firmware (after a factory reset).
    Reboot,
    /// Cut the battery supply (mains failure handled).
    Shutdown,
}

impl<T> Action<T> {
    /// The same action with its SMS text moved by `text`; `None` when the
    /// text has nowhere to go.
    pub(crate) fn move_text<U>(self, text: impl FnOnce(T) -> Option<U>) -> Option<Action<U>> {
        Some(match self {
            Action::SendSms { to, text: t } => Action::SendSms { to, text: text(t)? },
            Action::Dial(n) => Action::Dial(n),
            Action::HangUp => Action::HangUp,
            Action::SetRelay(on) => Action::SetRelay(on),
            Action::SendUssd(code) => Action::SendUssd(code),
            Action::MeasureTemperature => Action::MeasureTemperature,
            Action::Save(record) => Action::Save(record),
            Action::SetClock(time) => Action::SetClock(time),
            Action::SetLeds(leds) => Action::SetLeds(leds),
            Action::Reboot => Action::Reboot,
            Action::Shutdown => Action::Shutdown,
        })
    }
}

/// What the board tells the engine about itself (manual §15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardInfo {
    /// Product name for HARDWARE, e.g. `isocket rp2040-pico`.
    pub product: &'static str,
    /// Unique id for SERIALNUM.
    pub serial: String<32>,
}

/// Why the firmware started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BootReason {
    /// A reset, watchdog or factory-reset reboot: the relay returns to its saved base state.
    #[default]
    Reset,
    /// Power came back after the device shut down for a mains failure (manual §13).
    MainsRestored,
}

/// How the firmware started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Boot {
    /// Why.
    pub reason: BootReason,
    /// The battery-backed clock's time, if it holds one.
    pub clock: Option<Timestamp>,
}
