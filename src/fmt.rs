//! The one place numbers are turned into text for people.
//!
//! Stored values are never rounded; these functions are for display only, so a
//! figure prints the same in the HTML pack, the terminal and key findings.

use crate::metric::{Kind, Metric};

/// A number as plainly as it can be written: `12`, `24.5`, `0.6402...`.
/// Whole numbers lose their `.0`, and binary noise is dropped (`7.000000000000001`
/// is `7`, `56.99999999999999` is `57`): 12 significant digits are kept,
/// far more than any count, percentage or ratio carries. Used for CSV output
/// and messages.
pub fn plain_number(n: f64) -> String {
    if !n.is_finite() || n == 0.0 {
        return format!("{}", if n == 0.0 { 0.0 } else { n });
    }
    let digits = 12 - 1 - n.abs().log10().floor() as i32;
    let n = if (0..=300).contains(&digits) {
        let s = format!("{:.*}", digits as usize, n);
        s.parse::<f64>().unwrap_or(n)
    } else {
        n
    };
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A text cell for a CSV file a person may open in a spreadsheet: a cell
/// beginning with `=`, `+`, `-`, `@`, tab or carriage return would be run as
/// a formula, so it gets a leading `'` (OWASP, "CSV injection"). Numbers,
/// negative ones included, are left as they are.
pub fn csv_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && cell.trim().parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A percentage to one decimal place: `18.4%`.
pub fn pct1(p: f64) -> String {
    format!("{:.1}%", round_half_away(p, 1))
}

/// A percentage to one decimal place without the sign: `18.4`.
pub fn num1(p: f64) -> String {
    format!("{:.1}", round_half_away(p, 1))
}

/// A ratio to two decimals, as WRES reports print relative likelihoods: `0.64`.
pub fn ratio2(r: f64) -> String {
    format!("{:.2}", round_half_away(r, 2))
}

/// A count with thousands separators: `1,062`.
pub fn count(n: f64) -> String {
    let v = n.round() as i64;
    let s = v.abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if v < 0 { format!("-{out}") } else { out }
}

/// A number to `dp` decimals, rounding half away from zero.
pub fn fixed(v: f64, dp: usize) -> String {
    format!("{:.*}", dp, round_half_away(v, dp as i32))
}

/// A value with its metric's display (kind and decimals from the catalogue):
/// ratios `0.64`, counts `1,062`, percentages `18.4%`, points `+14.6 pp`.
pub fn metric_value(metric: Metric, v: f64) -> String {
    let dp = metric.decimals();
    match metric.kind() {
        Kind::RelativeLikelihood => fixed(v, dp),
        Kind::Count if dp == 0 => count(v),
        Kind::Count => fixed(v, dp),
        Kind::Gap | Kind::BoardDiff => {
            let s = fixed(v, dp);
            if v > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
                format!("+{s} pp")
            } else {
                format!("{s} pp")
            }
        }
        Kind::Proportion | Kind::SurveyPct => format!("{}%", fixed(v, dp)),
    }
}

/// Optional values print as an en dash, as in trust reports.
pub fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "–".to_string(), f)
}

/// Rounds half away from zero (Excel's ROUND), so 0.125 -> 0.13 and reports agree
/// with spreadsheets; Rust's `{:.2}` alone rounds half to even on the binary value.
pub fn round_half_away(v: f64, dp: i32) -> f64 {
    let m = 10f64.powi(dp);
    let scaled = v * m;
    // Nudge by a relative epsilon so values like 2.675 (stored as 2.67499...) round up.
    let nudged = scaled + scaled.signum() * scaled.abs() * 1e-12;
    nudged.round() / m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_would_run_as_formulas_are_neutralised() {
        assert_eq!(
            csv_safe("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("+1+cmd"), "'+1+cmd");
        assert_eq!(csv_safe("-3.5"), "-3.5");
        assert_eq!(csv_safe("RV9"), "RV9");
    }

    #[test]
    fn plain_numbers_drop_binary_noise_but_keep_real_digits() {
        assert_eq!(plain_number(0.07 * 100.0), "7");
        assert_eq!(plain_number(0.57 * 100.0), "57");
        assert_eq!(plain_number(24.5), "24.5");
        assert_eq!(plain_number(1062.0), "1062");
        assert_eq!(plain_number(0.640234567891), "0.640234567891");
        assert_eq!(plain_number(-3.0), "-3");
        assert_eq!(plain_number(0.0), "0");
        assert_eq!(plain_number(-0.0), "0");
        assert_eq!(plain_number(f64::INFINITY), "inf");
    }

    #[test]
    fn formats() {
        assert_eq!(plain_number(12.0), "12");
        assert_eq!(plain_number(24.5), "24.5");
        assert_eq!(pct1(18.4), "18.4%");
        assert_eq!(pct1(4.721), "4.7%");
        assert_eq!(ratio2(0.64025), "0.64");
        assert_eq!(ratio2(0.125), "0.13");
        assert_eq!(ratio2(2.675), "2.68");
        assert_eq!(count(1062.0), "1,062");
        assert_eq!(count(1234567.0), "1,234,567");
        assert_eq!(count(999.0), "999");
        assert_eq!(metric_value(Metric::Ind8GapPp, 14.6), "+14.6 pp");
        assert_eq!(metric_value(Metric::Ind8GapPp, 0.04), "0.0 pp");
        assert_eq!(metric_value(Metric::Ind9DiffPp, -4.721), "-4.7 pp");
        assert_eq!(metric_value(Metric::Ind2RelativeLikelihood, 1.5), "1.50");
        assert_eq!(metric_value(Metric::Ind1ParityGap, 1062.0), "1,062");
        assert_eq!(metric_value(Metric::Ind3DisciplinaryPct, 0.6273), "0.63%");
        assert_eq!(opt(None, pct1), "–");
    }
}
