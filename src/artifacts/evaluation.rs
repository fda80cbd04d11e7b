//! `evaluation.json`: the evolution score and how each component was measured.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    /// 0-100; the weighted mean of the available components (weights renormalised over them).
    /// None when no component is available.
    pub evolution_score: Option<f64>,
    pub code_quality: Component,
    pub test_coverage: Component,
    pub maintainability: Component,
    pub readability: Component,
    pub weights: Weights,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub code_quality: f64,
    pub test_coverage: f64,
    pub maintainability: f64,
    pub readability: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            code_quality: 0.30,
            test_coverage: 0.25,
            maintainability: 0.25,
            readability: 0.20,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// 0-100; None when unavailable or not applicable.
    pub score: Option<f64>,
    pub method: Method,
    /// What the score rests on, in a sentence or two.
    pub evidence: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Measured,
    Estimated,
    Unavailable,
    /// The component does not apply to this change (test coverage of a behaviour-preserving
    /// change); like `unavailable`, its weight is shared out over the others.
    NotApplicable,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Measured => "measured",
            Self::Estimated => "estimated",
            Self::Unavailable => "unavailable",
            Self::NotApplicable => "not_applicable",
        }
    }
}
