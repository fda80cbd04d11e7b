//! The failing checks reduced to one value: their names and conclusions, hashed, so a round can
//! tell that the same checks failed the same way as before it.

use sha2::{Digest, Sha256};

use crate::artifacts::FailingCheck;

/// None when nothing fails.
pub fn of(checks: &[FailingCheck]) -> Option<String> {
    if checks.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = checks
        .iter()
        .map(|c| {
            format!(
                "{}\u{1f}{}\u{1f}{}",
                c.name,
                c.conclusion,
                first_line(&c.output)
            )
        })
        .collect();
    parts.sort();
    Some(hex::encode(
        &Sha256::digest(parts.join("\u{1e}").as_bytes())[..8],
    ))
}

fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, output: &str) -> FailingCheck {
        FailingCheck {
            name: name.into(),
            conclusion: "failure".into(),
            output: output.into(),
        }
    }

    #[test]
    fn the_same_failures_give_the_same_signature() {
        assert_eq!(of(&[]), None);
        let a = of(&[check("test", "1 failed"), check("lint", "x")]);
        assert_eq!(
            a,
            of(&[check("lint", "x"), check("test", "1 failed\nmore")])
        );
        assert_ne!(a, of(&[check("lint", "x"), check("test", "2 failed")]));
    }
}
