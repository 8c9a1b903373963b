//! Interval functions registered with DataFusion.
//!
//! Only the Wilson score limits live in Rust (they are used by several
//! queries, and by Newcombe's hybrid interval); the Katz and Newcombe formulas
//! are written out in the SQL itself so an analyst can read them there.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Float64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::DataFusionError;
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};

/// The normal quantile for 95% two-sided intervals.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval for `x` successes out of `n` (Newcombe 1998a, method 3),
/// on the 0-1 scale. `x` may be fractional (a survey percentage times its
/// responses). `None` when `n` is not positive.
pub fn wilson(x: f64, n: f64, z: f64) -> Option<(f64, f64)> {
    if !n.is_finite() || !x.is_finite() || n <= 0.0 || x < 0.0 || x > n {
        return None;
    }
    let p = x / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = p + z2 / (2.0 * n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let lo = ((centre - half) / denom).max(0.0);
    let hi = ((centre + half) / denom).min(1.0);
    Some((lo, hi))
}

fn wilson_udf(name: &'static str, upper: bool) -> ScalarUDF {
    create_udf(
        name,
        vec![DataType::Float64, DataType::Float64],
        DataType::Float64,
        Volatility::Immutable,
        Arc::new(move |args: &[ColumnarValue]| {
            let arrays = ColumnarValue::values_to_arrays(args)?;
            let (Some(x), Some(n)) = (
                arrays[0].as_any().downcast_ref::<Float64Array>(),
                arrays[1].as_any().downcast_ref::<Float64Array>(),
            ) else {
                return Err(DataFusionError::Internal(format!(
                    "{name} takes two DOUBLE arguments"
                )));
            };
            let out: Float64Array = (0..x.len())
                .map(|i| {
                    if x.is_null(i) || n.is_null(i) {
                        return None;
                    }
                    wilson(x.value(i), n.value(i), Z95).map(|(lo, hi)| if upper { hi } else { lo })
                })
                .collect();
            let out: ArrayRef = Arc::new(out);
            // A scalar call (both arguments literal) returns a one-row array, which
            // DataFusion accepts for scalar inputs too.
            Ok(ColumnarValue::Array(out))
        }),
    )
}

/// `wilson_low(x, n)` and `wilson_high(x, n)`: 95% Wilson limits on the 0-1 scale.
pub fn all() -> Vec<ScalarUDF> {
    vec![
        wilson_udf("wilson_low", false),
        wilson_udf("wilson_high", true),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.00005
    }

    /// Newcombe RG (1998). Two-sided confidence intervals for the single
    /// proportion: comparison of seven methods. Stat Med 17:857-872, Table I,
    /// method 3 (score, no continuity correction).
    #[test]
    fn wilson_matches_newcombe_1998a_table_i() {
        let cases = [
            (81.0, 263.0, 0.2553, 0.3662),
            (15.0, 148.0, 0.0624, 0.1605),
            (0.0, 20.0, 0.0, 0.1611),
            (1.0, 29.0, 0.0061, 0.1718),
        ];
        for (x, n, lo, hi) in cases {
            let (l, h) = wilson(x, n, Z95).unwrap();
            assert!(
                close(l, lo) && close(h, hi),
                "{x}/{n}: got {l:.4}-{h:.4}, want {lo}-{hi}"
            );
        }
    }

    #[test]
    fn wilson_rejects_impossible_inputs() {
        assert_eq!(wilson(1.0, 0.0, Z95), None);
        assert_eq!(wilson(5.0, 4.0, Z95), None);
        assert_eq!(wilson(f64::NAN, 4.0, Z95), None);
    }
}
