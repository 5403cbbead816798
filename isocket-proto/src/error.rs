//! Why a text is not a command, or not one for this device.

/// Why [`Command::from_str`](crate::Command) rejected a text (manual §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The text is not a command name: `<TEXT> - No such command exists on the device!`.
    #[error("No such command exists on the device!")]
    UnknownCommand,
    /// A known command with a bad value: `Incorrect value!`.
    #[error("Incorrect value!")]
    InvalidValue,
}

/// Why [`frame`](crate::frame::frame) rejected an SMS before parsing (manual §2, §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// Longer than 30 characters after trimming: dropped without any reply.
    #[error("SMS longer than 30 characters")]
    TooLong,
    /// A password is set and the text does not start with it.
    #[error("Invalid access password!")]
    WrongPassword,
}
