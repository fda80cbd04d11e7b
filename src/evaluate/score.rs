//! The evolution score: the weighted mean of the available components.
//!
//! `evolution_score = Σ wᵢ·sᵢ / Σ wᵢ` over the components that are not unavailable. With every
//! component available and the default weights (summing to 1) this is exactly
//! `0.30·code_quality + 0.25·test_coverage + 0.25·maintainability + 0.20·readability`. When a
//! component is unavailable (or not applicable: test coverage of a behaviour-preserving change)
//! its weight is shared out over the others in proportion to theirs
//! (the weights are renormalised), so a missing measurement neither counts as 0 nor as 100.
//! With no component available there is no score.

use crate::artifacts::{Component, Evaluation, Method, Weights};
use crate::contract::InputError;

/// Checks that weights are finite, non-negative and not all zero.
pub fn validate_weights(weights: &Weights, field: &str) -> Result<(), InputError> {
    let all = [
        ("code_quality", weights.code_quality),
        ("test_coverage", weights.test_coverage),
        ("maintainability", weights.maintainability),
        ("readability", weights.readability),
    ];
    for (name, weight) in all {
        if !weight.is_finite() || weight < 0.0 {
            return Err(InputError::field(
                &format!("{field}.{name}"),
                "a finite number >= 0",
            ));
        }
    }
    if all.iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
        return Err(InputError::field(field, "at least one weight above 0"));
    }
    Ok(())
}

/// The evaluation of four components under `weights`.
pub fn evaluation(
    code_quality: Component,
    test_coverage: Component,
    maintainability: Component,
    readability: Component,
    weights: Weights,
) -> Evaluation {
    let weighted = [
        (&code_quality, weights.code_quality),
        (&test_coverage, weights.test_coverage),
        (&maintainability, weights.maintainability),
        (&readability, weights.readability),
    ];
    let (sum, total_weight) = weighted
        .iter()
        .filter(|(component, weight)| {
            !matches!(
                component.method,
                Method::Unavailable | Method::NotApplicable
            ) && *weight > 0.0
        })
        .filter_map(|(component, weight)| component.score.map(|s| (s * weight, *weight)))
        .fold((0.0, 0.0), |(sum, total), (s, w)| (sum + s, total + w));
    let evolution_score = (total_weight > 0.0).then(|| round2(sum / total_weight));
    Evaluation {
        evolution_score,
        code_quality,
        test_coverage,
        maintainability,
        readability,
        weights,
    }
}

/// A component with a score clamped to 0-100 and rounded to two decimals.
pub fn component(score: f64, method: Method, evidence: impl Into<String>) -> Component {
    Component {
        score: Some(round2(score.clamp(0.0, 100.0))),
        method,
        evidence: evidence.into(),
    }
}

/// A component that could not be measured or estimated, and why.
pub fn unavailable(evidence: impl Into<String>) -> Component {
    Component {
        score: None,
        method: Method::Unavailable,
        evidence: evidence.into(),
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_components_use_the_designed_formula() {
        let e = evaluation(
            component(80.0, Method::Measured, ""),
            component(60.0, Method::Estimated, ""),
            component(70.0, Method::Measured, ""),
            component(90.0, Method::Estimated, ""),
            Weights::default(),
        );
        // 0.30*80 + 0.25*60 + 0.25*70 + 0.20*90 = 24 + 15 + 17.5 + 18 = 74.5
        assert_eq!(e.evolution_score, Some(74.5));
    }

    #[test]
    fn unavailable_components_renormalise_the_weights() {
        let e = evaluation(
            component(80.0, Method::Measured, ""),
            unavailable("no tests"),
            component(70.0, Method::Measured, ""),
            unavailable("no model"),
            Weights::default(),
        );
        // (0.30*80 + 0.25*70) / (0.30 + 0.25) = 41.5 / 0.55 = 75.4545...
        assert_eq!(e.evolution_score, Some(75.45));
        let none = evaluation(
            unavailable(""),
            unavailable(""),
            unavailable(""),
            unavailable(""),
            Weights::default(),
        );
        assert_eq!(none.evolution_score, None);
    }

    #[test]
    fn custom_weights_and_their_validation() {
        let weights = Weights {
            code_quality: 1.0,
            test_coverage: 0.0,
            maintainability: 1.0,
            readability: 2.0,
        };
        assert!(validate_weights(&weights, "weights").is_ok());
        let e = evaluation(
            component(100.0, Method::Measured, ""),
            component(0.0, Method::Measured, ""),
            component(50.0, Method::Measured, ""),
            component(25.0, Method::Estimated, ""),
            weights,
        );
        // (100 + 50 + 2*25) / 4 = 50; a zero weight leaves a component out.
        assert_eq!(e.evolution_score, Some(50.0));
        let negative = Weights {
            readability: -0.1,
            ..weights
        };
        assert_eq!(
            validate_weights(&negative, "weights")
                .unwrap_err()
                .to_string(),
            "bad input: field `weights.readability`: expected a finite number >= 0"
        );
        let zero = Weights {
            code_quality: 0.0,
            test_coverage: 0.0,
            maintainability: 0.0,
            readability: 0.0,
        };
        assert!(validate_weights(&zero, "weights").is_err());
    }

    #[test]
    fn scores_are_clamped() {
        assert_eq!(component(140.0, Method::Measured, "").score, Some(100.0));
        assert_eq!(component(-3.0, Method::Measured, "").score, Some(0.0));
    }
}
