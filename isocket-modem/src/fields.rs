//! Splitting the parameters of an AT information line (3GPP TS 27.007 §4.1:
//! comma-separated values, strings in double quotes).
//!
//! Real modems bend the format: spaces after commas (Motorola), no space after
//! the colon (`+CSQ:4,0`), zero padding (`+CREG:002,001`), unquoted strings and
//! mismatched quotes. Everything here is lenient and never panics.

/// One parameter: its bytes without surrounding spaces and quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field<'a> {
    pub bytes: &'a [u8],
    pub quoted: bool,
}

impl<'a> Field<'a> {
    /// The field as a decimal number; leading zeros and inner spaces are tolerated.
    pub fn number<T: TryFrom<u32>>(&self) -> Option<T> {
        parse_decimal(self.bytes).and_then(|n| T::try_from(n).ok())
    }

    /// The field as a hexadecimal number (LAC, cell id), spaces ignored.
    pub fn hex(&self) -> Option<u32> {
        let mut seen = false;
        let mut value: u32 = 0;
        for &b in self.bytes.iter().filter(|b| !b.is_ascii_whitespace()) {
            let digit = char::from(b).to_digit(16)?;
            value = value.checked_mul(16)?.checked_add(digit)?;
            seen = true;
        }
        seen.then_some(value)
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

fn parse_decimal(bytes: &[u8]) -> Option<u32> {
    let mut seen = false;
    let mut value: u32 = 0;
    for &b in bytes.iter().filter(|b| **b != b' ') {
        let digit = char::from(b).to_digit(10)?;
        value = value.checked_mul(10)?.checked_add(digit)?;
        seen = true;
    }
    seen.then_some(value)
}

/// Iterator over the comma-separated fields of a parameter list.
#[derive(Debug, Clone)]
pub(crate) struct Fields<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> Fields<'a> {
    pub fn new(params: &'a [u8]) -> Self {
        Fields { rest: Some(params) }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Field<'a>;

    fn next(&mut self) -> Option<Field<'a>> {
        let rest = self.rest?;
        let mut in_quotes = false;
        let end = rest.iter().position(|&b| {
            if b == b'"' {
                in_quotes = !in_quotes;
            }
            b == b',' && !in_quotes
        });
        let (field, tail) = match end {
            Some(i) => (rest.get(..i)?, rest.get(i + 1..)),
            None => (rest, None),
        };
        self.rest = tail;
        Some(unquote(trim(field)))
    }
}

fn unquote(field: &[u8]) -> Field<'_> {
    match field.strip_prefix(b"\"") {
        Some(inner) => Field {
            bytes: inner.strip_suffix(b"\"").unwrap_or(inner),
            quoted: true,
        },
        None => Field {
            bytes: field,
            quoted: false,
        },
    }
}

/// `bytes` without leading and trailing ASCII whitespace.
pub(crate) fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// The parameters after `prefix` (e.g. `+CSQ`), with the colon and spaces
/// skipped; `None` if the line has another prefix.
pub(crate) fn params<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let rest = line.strip_prefix(prefix)?;
    let rest = rest.strip_prefix(b":").unwrap_or(rest);
    Some(rest.trim_ascii_start())
}

/// The fields after `prefix`.
pub(crate) fn fields<'a>(line: &'a [u8], prefix: &[u8]) -> Option<Fields<'a>> {
    params(line, prefix).map(Fields::new)
}

/// Quote-aware field count of a parameter list.
pub(crate) fn count(params: &[u8]) -> usize {
    Fields::new(params).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(p: &[u8]) -> Vec<(&[u8], bool)> {
        Fields::new(p).map(|f| (f.bytes, f.quoted)).collect()
    }

    #[test]
    fn splits_quoted_commas_and_spaces() {
        assert_eq!(
            all(br#""REC READ", "+41,1", "2009/8/18,19:11:45""#),
            vec![
                (&b"REC READ"[..], true),
                (b"+41,1", true),
                (b"2009/8/18,19:11:45", true)
            ]
        );
        assert_eq!(
            all(b"2,,"),
            vec![(&b"2"[..], false), (b"", false), (b"", false)]
        );
    }

    #[test]
    fn numbers_are_lenient() {
        let f = Fields::new(b"002, 0 5,zz").collect::<Vec<_>>();
        assert_eq!(f[0].number::<u8>(), Some(2));
        assert_eq!(f[1].number::<u8>(), Some(5));
        assert_eq!(f[2].number::<u8>(), None);
        assert_eq!(params(b"+CSQ:4,0", b"+CSQ"), Some(&b"4,0"[..]));
    }
}
