//! Interval functions registered with DataFusion.
//!
//! Only the Wilson score limits live in Rust ([`crate::stats::wilson`], used by
//! several queries and by Newcombe's hybrid interval); the Katz and Newcombe
//! formulas are written out in the SQL itself so an analyst can read them there.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, Float64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::DataFusionError;
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};

pub use crate::stats::{Z95, wilson};

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

/// `finite(x)`: x, or NULL when x is infinite or NaN. Order statistics take
/// infinite relative likelihoods as +infinity; a statistic that is itself
/// infinite (or an interpolation between two infinities) is stored as NULL.
fn finite_udf() -> ScalarUDF {
    create_udf(
        "finite",
        vec![DataType::Float64],
        DataType::Float64,
        Volatility::Immutable,
        Arc::new(|args: &[ColumnarValue]| {
            let arrays = ColumnarValue::values_to_arrays(args)?;
            let Some(x) = arrays[0].as_any().downcast_ref::<Float64Array>() else {
                return Err(DataFusionError::Internal(
                    "finite takes one DOUBLE argument".into(),
                ));
            };
            let out: Float64Array = x.iter().map(|v| v.filter(|v| v.is_finite())).collect();
            Ok(ColumnarValue::Array(Arc::new(out) as ArrayRef))
        }),
    )
}

/// `wilson_low(x, n)` and `wilson_high(x, n)`: 95% Wilson limits on the 0-1
/// scale; `finite(x)`: x unless it is infinite or NaN.
pub fn all() -> Vec<ScalarUDF> {
    vec![
        wilson_udf("wilson_low", false),
        wilson_udf("wilson_high", true),
        finite_udf(),
    ]
}
