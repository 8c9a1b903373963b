//! The run's parameters: every threshold of spec/indicators.md in one value.
//!
//! The SQL sees them as the one-row table `params`; packs print them in every
//! sentence that mentions one, and record them under `params`. `benchmark`
//! stores the parameters its results were built with in the manifest, and
//! `export` reads them back from there, so a pack never states a threshold
//! its figures were not computed with.

use serde::Serialize;

/// Survey groups with fewer responses than this are suppressed (default).
pub const MIN_RESPONSES: f64 = 11.0;
/// Disclosure control: counts of 1 to this minus one are `*` (default of `--min-count`).
pub const MIN_COUNT: f64 = 8.0;

/// Tunable parameters, visible to the SQL as the one-row table `params`.
/// Every threshold a pack sentence mentions is printed from here.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Params {
    /// Survey groups with fewer responses are suppressed.
    pub min_responses: f64,
    /// Fewer people than this in a numerator or denominator: `small_numbers`.
    pub small_numbers: f64,
    /// z for 95% intervals.
    pub z: f64,
    /// The four-fifths band for relative likelihoods.
    pub parity_low: f64,
    pub parity_high: f64,
    /// The Model Employer goal year: no annual goal from this year on.
    pub model_employer_year: i32,
    /// Disclosure control: other trusts' counts of 1 to `min_count - 1` are `*`.
    #[serde(default = "default_min_count")]
    pub min_count: f64,
    /// Group statistics shown to people need at least this many trusts.
    #[serde(default = "default_min_trusts")]
    pub min_trusts: i64,
    /// A survey trend with a group under this many responses says so.
    #[serde(default = "default_trend_min_responses")]
    pub trend_min_responses: f64,
}

fn default_min_count() -> f64 {
    MIN_COUNT
}
fn default_min_trusts() -> i64 {
    5
}
fn default_trend_min_responses() -> f64 {
    50.0
}

impl Default for Params {
    fn default() -> Self {
        Params {
            min_responses: MIN_RESPONSES,
            small_numbers: 10.0,
            z: crate::stats::Z95,
            parity_low: 0.80,
            parity_high: 1.25,
            model_employer_year: crate::model::MODEL_EMPLOYER_YEAR,
            min_count: default_min_count(),
            min_trusts: default_min_trusts(),
            trend_min_responses: default_trend_min_responses(),
        }
    }
}
