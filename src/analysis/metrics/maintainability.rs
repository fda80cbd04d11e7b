//! The maintainability index.
//!
//! We use the normalised form Visual Studio reports (0-100, higher is more maintainable) of
//! Oman and Hagemeister's index, without the comment term (comment density is reported on its
//! own):
//!
//! ```text
//! MI = max(0, (171 - 5.2 * ln(V) - 0.23 * G - 16.2 * ln(LOC)) * 100 / 171)
//! ```
//!
//! where V is the Halstead volume, G the cyclomatic complexity and LOC the source lines (non
//! blank) of the file. Visual Studio reads 20-100 as good, 10-19 as moderate and 0-9 as poor.

/// The maintainability index (0-100) from Halstead volume, cyclomatic complexity and source
/// lines. An empty file (no volume or no lines) is perfectly maintainable: 100.
pub fn maintainability_index(volume: f64, cyclomatic: u32, source_lines: u32) -> f64 {
    if volume <= 0.0 || source_lines == 0 {
        return 100.0;
    }
    let raw = 171.0
        - 5.2 * volume.ln()
        - 0.23 * f64::from(cyclomatic)
        - 16.2 * f64::from(source_lines).ln();
    (raw * 100.0 / 171.0).clamp(0.0, 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_documented_formula() {
        // V = 100, G = 3, LOC = 10: 171 - 5.2 ln 100 - 0.69 - 16.2 ln 10 = 109.1428...
        let expected = (171.0 - 5.2 * 100f64.ln() - 0.69 - 16.2 * 10f64.ln()) * 100.0 / 171.0;
        assert!((maintainability_index(100.0, 3, 10) - expected).abs() < 1e-9);
        assert!((expected - 63.778).abs() < 0.01);
        assert_eq!(maintainability_index(0.0, 1, 0), 100.0);
        // Huge files bottom out at 0, never negative.
        assert_eq!(maintainability_index(1e12, 500, 1_000_000), 0.0);
    }

    #[test]
    fn more_complexity_means_less_maintainable() {
        assert!(maintainability_index(500.0, 10, 50) < maintainability_index(500.0, 2, 50));
        assert!(maintainability_index(900.0, 2, 50) < maintainability_index(500.0, 2, 50));
    }
}
