//! SMS framing: from the raw SMS text to the command text (manual §2, §3).

use crate::error::FrameError;
use crate::values::Password;

/// Longest command SMS, in characters, after trimming (manual §2).
pub const MAX_COMMAND_CHARS: usize = 30;

/// Trims the SMS, applies the 30-character rule, and checks and strips the
/// password. Returns the command text, ready for [`str::parse`]. Never allocates.
///
/// The password is compared ignoring ASCII case, like the rest of the text.
///
/// ```
/// use isocket_proto::{frame, FrameError, Password};
///
/// let password = Password::parse("12abc");
/// assert_eq!(frame(password.as_ref(), " 12ABCstatus\r\n"), Ok("status"));
/// assert_eq!(frame(password.as_ref(), "status"), Err(FrameError::WrongPassword));
/// assert_eq!(frame(None, "status"), Ok("status"));
/// assert_eq!(frame(None, "SECNUMBER+491511234567890123456"), Err(FrameError::TooLong));
/// ```
pub fn frame<'a>(password: Option<&Password>, sms: &'a str) -> Result<&'a str, FrameError> {
    let text = sms.trim();
    // Byte length bounds the character count from above: only count when needed.
    if text.len() > MAX_COMMAND_CHARS && text.chars().count() > MAX_COMMAND_CHARS {
        return Err(FrameError::TooLong);
    }
    match password {
        None => Ok(text),
        // Phones may put a space after the password: tolerate it.
        Some(password) if password.prefixes(text) => {
            Ok(text.get(Password::LEN..).unwrap_or_default().trim_start())
        }
        Some(_) => Err(FrameError::WrongPassword),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_characters_is_the_limit() {
        let thirty = "SECNUMBER+12345678901234567890";
        assert_eq!(thirty.len(), 30);
        assert_eq!(frame(None, thirty), Ok(thirty));
        assert_eq!(
            frame(None, "SECNUMBER+123456789012345678901"),
            Err(FrameError::TooLong)
        );
        // Thirty characters of two bytes each are still thirty characters.
        let umlauts = "ä".repeat(30);
        assert_eq!(frame(None, &umlauts), Ok(umlauts.as_str()));
        assert_eq!(frame(None, &"ä".repeat(31)), Err(FrameError::TooLong));
    }

    #[test]
    fn password_prefix_is_checked_without_panicking() {
        let password = Password::parse("ab123");
        assert_eq!(
            frame(password.as_ref(), "ab12"),
            Err(FrameError::WrongPassword)
        );
        assert_eq!(
            frame(password.as_ref(), "ab1ä3ON"),
            Err(FrameError::WrongPassword)
        );
        assert_eq!(frame(password.as_ref(), "Ab123"), Ok(""));
        assert_eq!(frame(password.as_ref(), "ab123 STATUS"), Ok("STATUS"));
        assert_eq!(frame(password.as_ref(), ""), Err(FrameError::WrongPassword));
    }
}
