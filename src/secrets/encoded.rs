//! The encoded spellings of a secret a redactor also looks for: base64 (standard and URL-safe)
//! at each of the three alignments the secret can have inside a longer encoding, and hex.

use base64::Engine;

/// Encoded runs shorter than this are left alone: they would match ordinary text.
const MIN_ENCODED: usize = 8;

/// The encoded forms of `value` that appear in any encoding of a text holding it.
pub(crate) fn encoded_forms(value: &str) -> Vec<String> {
    let bytes = value.as_bytes();
    let mut forms = vec![hex::encode(bytes), hex::encode_upper(bytes)];
    for offset in 0..3usize {
        // With `offset` bytes before it, the secret's first bits start mid-character: only the
        // characters made wholly of the secret's bits are the same whatever surrounds it.
        let mut padded = vec![0u8; offset];
        padded.extend_from_slice(bytes);
        let encoded = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&padded);
        let start = (offset * 8).div_ceil(6);
        let end = (padded.len() * 8) / 6;
        if end <= start || end - start < MIN_ENCODED {
            continue;
        }
        let stable = &encoded[start..end];
        forms.push(stable.to_owned());
        forms.push(stable.replace('+', "-").replace('/', "_"));
    }
    forms.retain(|f| f.len() >= MIN_ENCODED);
    forms.sort();
    forms.dedup();
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alignment_is_found_inside_a_longer_encoding() {
        let secret = "hunter2-is-a-password";
        let forms = encoded_forms(secret);
        for prefix in ["", "a", "ab", "abc", "abcd"] {
            for suffix in ["", "z", "zz"] {
                let text = format!("{prefix}{secret}{suffix}");
                let encoded = base64::engine::general_purpose::STANDARD.encode(&text);
                assert!(
                    forms.iter().any(|f| encoded.contains(f.as_str())),
                    "{text:?} encoded as {encoded}"
                );
            }
        }
        assert!(forms.contains(&hex::encode(secret)));
    }
}
