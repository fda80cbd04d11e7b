//! Reading a task binary's one JSON input: from a file or stdin, unknown fields rejected, every
//! problem reported as one line that names the field and what was expected.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// Bad input: the one line a user sees, and exit code 2.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("bad input: {0}")]
pub struct InputError(pub String);

impl InputError {
    /// A field that parsed but does not make sense: `field` is its JSON path.
    pub fn field(field: &str, expected: impl std::fmt::Display) -> Self {
        Self(format!("field `{field}`: expected {expected}"))
    }
}

/// Where the input comes from: `--input FILE`, or `-` for stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    Stdin,
    File(PathBuf),
}

impl InputSource {
    pub fn from_arg(arg: &str) -> Self {
        if arg == "-" {
            Self::Stdin
        } else {
            Self::File(PathBuf::from(arg))
        }
    }

    fn read(&self) -> Result<String, InputError> {
        match self {
            Self::Stdin => read_capped(std::io::stdin().lock(), "stdin"),
            Self::File(path) => read_file(path),
        }
    }
}

/// The largest input document read; anything longer is refused, not read to the end.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a regular file only: a FIFO would block, a device (`/dev/zero`) never end.
fn read_file(path: &Path) -> Result<String, InputError> {
    let cannot = |reason: String| {
        InputError(format!(
            "cannot read input file {}: {reason}",
            path.display()
        ))
    };
    let meta = std::fs::metadata(path).map_err(|e| cannot(io_reason(&e)))?;
    if !meta.is_file() {
        return Err(cannot("not a regular file".to_owned()));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(cannot(format!(
            "{} bytes, over the limit of {MAX_INPUT_BYTES}",
            meta.len()
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| cannot(io_reason(&e)))?;
    read_capped(file, &format!("input file {}", path.display()))
}

/// Reads at most [`MAX_INPUT_BYTES`] as UTF-8 text.
fn read_capped(reader: impl Read, what: &str) -> Result<String, InputError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError(format!("cannot read {what}: {}", io_reason(&e))))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(InputError(format!(
            "cannot read {what}: over the limit of {MAX_INPUT_BYTES} bytes"
        )));
    }
    String::from_utf8(bytes).map_err(|_| InputError(format!("cannot read {what}: not UTF-8 text")))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::InvalidData => "not UTF-8 text".to_owned(),
        _ => e.to_string(),
    }
}

/// Types that check themselves after parsing (ranges, non-empty strings, paths that must exist).
pub trait Validate {
    fn validate(&self) -> Result<(), InputError> {
        Ok(())
    }
}

/// Reads and parses the input document. Input types carry `#[serde(deny_unknown_fields)]`.
pub fn read_input<T: DeserializeOwned + Validate>(source: &InputSource) -> Result<T, InputError> {
    parse_input(&source.read()?)
}

/// Parses an input document; the error names the JSON path of the offending field.
pub fn parse_input<T: DeserializeOwned + Validate>(text: &str) -> Result<T, InputError> {
    if text.trim().is_empty() {
        return Err(InputError(
            "input is empty: expected one JSON object".to_owned(),
        ));
    }
    let deserializer = &mut serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(deserializer).map_err(|e| {
        // A field name is the input's own text: a newline in it must not split the message.
        let path = one_line(&e.path().to_string());
        let inner = e.into_inner();
        let reason = first_line(&inner.to_string());
        if inner.is_syntax() || inner.is_eof() {
            InputError(format!("malformed JSON: {reason}"))
        } else if path == "." {
            InputError(reason)
        } else {
            InputError(format!("field `{path}`: {reason}"))
        }
    })?;
    value
        .validate()
        .map_err(|InputError(message)| InputError(one_line(&message)))?;
    Ok(value)
}

fn first_line(text: &str) -> String {
    one_line(text.lines().next().unwrap_or_default())
}

/// `text` with its control characters escaped (`\n`, `\u{1b}`): bad input is one line, and an
/// input cannot forge a line of its own in the log.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().collect()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// Found by the fuzz corpus's mutations: a field name holding an escaped newline.
    #[test]
    fn a_newline_in_a_field_name_or_value_stays_on_one_line() {
        let error = parse_input::<Sample>(r#"{"na\nme": "x"}"#).unwrap_err();
        assert!(!error.0.contains('\n'), "{error}");
        assert!(error.0.contains(r"na\nme"), "{error}");
        let error = parse_input::<Sample>(r#"{"name": "x", "nested": {"c\u001b[31mount": 1}}"#)
            .unwrap_err();
        assert!(!error.0.chars().any(char::is_control), "{error}");
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        #[serde(default)]
        nested: Option<Nested>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Nested {
        count: u32,
    }

    impl Validate for Sample {
        fn validate(&self) -> Result<(), InputError> {
            if self.name.is_empty() {
                return Err(InputError::field("name", "a non-empty string"));
            }
            Ok(())
        }
    }

    fn err(text: &str) -> String {
        parse_input::<Sample>(text)
            .map(|_| ())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn names_the_field_for_a_wrong_type() {
        let e = err(r#"{"name":"x","nested":{"count":"three"}}"#);
        assert!(
            e.starts_with("bad input: field `nested.count`: invalid type: string"),
            "{e}"
        );
    }

    #[test]
    fn rejects_unknown_fields_by_name() {
        let e = err(r#"{"name":"x","colour":1}"#);
        assert!(e.contains("unknown field `colour`"), "{e}");
    }

    #[test]
    fn malformed_and_empty_input() {
        assert!(err("{\"name\":").starts_with("bad input: malformed JSON"));
        assert_eq!(
            err("  \n"),
            "bad input: input is empty: expected one JSON object"
        );
        assert!(err("{}").contains("missing field `name`"));
    }

    #[test]
    fn runs_validation_after_parsing() {
        assert_eq!(
            err(r#"{"name":""}"#),
            "bad input: field `name`: expected a non-empty string"
        );
    }

    #[test]
    fn devices_fifos_and_huge_inputs_are_refused_without_reading() {
        let e = read_input::<Sample>(&InputSource::File("/dev/zero".into())).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = read_input::<Sample>(&InputSource::File(fifo)).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let big = dir.path().join("big.json");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(MAX_INPUT_BYTES + 1).unwrap();
        let e = read_input::<Sample>(&InputSource::File(big)).unwrap_err();
        assert!(e.to_string().contains("over the limit"), "{e}");
        let e = read_capped(std::io::repeat(b' '), "stdin").unwrap_err();
        assert!(e.to_string().contains("over the limit"), "{e}");
    }

    #[test]
    fn missing_file_names_the_path() {
        let e = read_input::<Sample>(&InputSource::File("/no/such/in.json".into())).unwrap_err();
        assert_eq!(
            e.to_string(),
            "bad input: cannot read input file /no/such/in.json: no such file"
        );
    }
}
